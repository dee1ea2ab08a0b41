import { Container } from 'inversify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from '../../../src/domain/ports/logger.js';
import { TemplateRepository } from '../../../src/domain/ports/template-repository.js';
import { FileTemplateRepository } from '../../../src/infrastructure/templates/file-template-repository.js';
import { TemplateSettings } from '../../../src/infrastructure/templates/template-settings.js';
import { makeConfDir, RecordingLogger, template, templatesJson, type ConfDir } from './template-fixtures.js';

let conf: ConfDir;
beforeEach(async () => {
  conf = await makeConfDir();
});
afterEach(async () => {
  await conf.cleanup();
});

const ids = (templates: { templateId: string }[]) => templates.map((t) => t.templateId);

describe('FileTemplateRepository.list: the file hierarchy', () => {
  it('takes a template from the highest-priority file that defines it, and tells which file', async () => {
    const levels = [
      'awsinstinst_templates.json',
      'awstype_templates.json',
      'awsinstprov_templates.json',
      'awsprov_templates.json',
      'templates.json',
    ];
    for (const [index, name] of levels.entries()) {
      // every file defines "shared" with its own maxNumber, plus a template of its own
      await conf.write(name, templatesJson(template('shared', { maxNumber: index + 1 }), template(`only-${index}`)));
    }
    const { templates, problems } = await conf.repository.list();
    expect(problems).toEqual([]);
    const shared = templates.find((t) => t.templateId === 'shared');
    expect(shared?.maxNumber).toBe(1);
    expect(shared?.sourceFile).toBe(join(conf.dir, 'awsinstinst_templates.json'));
    for (const [index, name] of levels.entries()) {
      const own = templates.find((t) => t.templateId === `only-${index}`);
      expect(own?.sourceFile).toBe(join(conf.dir, name));
    }
    expect(templates).toHaveLength(6);
  });

  it('overrides a template whole, without merging fields from lower files', async () => {
    await conf.write('awsprov_templates.json', templatesJson(template('t', { keyName: 'ibm-key', subnetId: 'subnet-1' })));
    await conf.write('awsinstinst_templates.json', templatesJson(template('t', { vmType: 'c5.xlarge' })));
    const t = await conf.repository.find('t');
    expect(t?.vmType).toBe('c5.xlarge');
    expect(t?.keyName).toBeUndefined();
    expect(t?.subnetIds).toEqual([]);
  });

  it('reads YAML files (.yaml and .yml), JSON first at the same level', async () => {
    await conf.write('templates.yml', 'templates:\n  - templateId: from-yml\n    maxNumber: 2\n    attributes: {type: X86_64, ncpus: 1, nram: 512}\n    vmType: t3.micro\n');
    await conf.write('awsprov_templates.yaml', 'templates:\n  - templateId: both\n    maxNumber: 3\n    attributes: {type: X86_64, ncpus: 1, nram: 512}\n    vmType: yaml-type\n');
    await conf.write('awsprov_templates.json', templatesJson(template('both', { vmType: 'json-type' })));
    const { templates, problems } = await conf.repository.list();
    expect(problems).toEqual([]);
    expect(templates.find((t) => t.templateId === 'both')?.vmType).toBe('json-type');
    const fromYml = templates.find((t) => t.templateId === 'from-yml');
    expect(fromYml?.attributes).toEqual({ type: ['String', 'X86_64'], ncpus: ['Numeric', '1'], nram: ['Numeric', '512'] });
    expect(fromYml?.sourceFile).toBe(join(conf.dir, 'templates.yml'));
  });

  it("ignores other instances' and unrelated files", async () => {
    await conf.write('otherinst_templates.json', templatesJson(template('other')));
    await conf.write('gcpprov_templates.json', templatesJson(template('gcp')));
    await conf.write('awsprov_config.json', '{"AWS_REGION": "us-east-1"}');
    await conf.write('templates.json', templatesJson(template('mine')));
    expect(ids((await conf.repository.list()).templates)).toEqual(['mine']);
  });

  it('lists nothing, without problems, when there are no template files', async () => {
    expect(await conf.repository.list()).toEqual({ templates: [], problems: [] });
  });

  it('throws CONFIG_INVALID when the config dir cannot be read', async () => {
    const missing = new FileTemplateRepository(
      { confDir: join(conf.dir, 'missing'), providerName: 'awsinst', providerType: 'aws' },
      new RecordingLogger(),
    );
    await expect(missing.list()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('FileTemplateRepository.list: broken templates and files', () => {
  it('leaves out a broken template, reports its field, and lists the others', async () => {
    const file = await conf.write(
      'awsprov_templates.json',
      templatesJson(template('good-1'), template('bad', { attributes: { type: 'X86_64', ncpus: 'many', nram: 1 } }), template('good-2')),
    );
    const { templates, problems } = await conf.repository.list();
    expect(ids(templates)).toEqual(['good-1', 'good-2']);
    expect(problems).toEqual([expect.objectContaining({ file, templateId: 'bad', field: 'attributes.ncpus' })]);
    expect(conf.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ templateId: 'bad', field: 'attributes.ncpus' }) }),
    );
  });

  it('skips a file with malformed JSON or YAML and still lists the other files', async () => {
    const badJson = await conf.write('awsinstinst_templates.json', '{"templates": [ {"templateId": "x", }');
    const badYaml = await conf.write('awstype_templates.yaml', 'templates:\n  - templateId: y\n   maxNumber: [\n');
    await conf.write('templates.json', templatesJson(template('fine')));
    const { templates, problems } = await conf.repository.list();
    expect(ids(templates)).toEqual(['fine']);
    expect(problems.map((p) => p.file)).toEqual([badJson, badYaml]);
    expect(problems[0].message).toContain('skipped');
  });

  it('reports a file without a templates list', async () => {
    const file = await conf.write('templates.json', '{"template": []}');
    const { problems } = await conf.repository.list();
    expect(problems).toEqual([expect.objectContaining({ file, message: expect.stringContaining('"templates" list') })]);
  });

  it('does not fall back to a lower file when the winning definition is broken', async () => {
    const high = await conf.write('awsinstinst_templates.json', templatesJson(template('t', { maxNumber: 99999 })));
    const low = await conf.write('awsprov_templates.json', templatesJson(template('t')));
    const { templates, problems } = await conf.repository.list();
    expect(templates).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: high, templateId: 't', field: 'maxNumber' });
    expect(problems[0].message).toContain(low);
    expect(await conf.repository.find('t')).toBeUndefined();
  });

  it('keeps the first of duplicate ids in one file and reports the duplicate', async () => {
    await conf.write('templates.json', templatesJson(template('d', { vmType: 'first' }), template('d', { vmType: 'second' })));
    const { templates, problems } = await conf.repository.list();
    expect(templates.map((t) => t.vmType)).toEqual(['first']);
    expect(problems).toEqual([expect.objectContaining({ templateId: 'd', message: expect.stringContaining('more than once') })]);
  });
});

describe('FileTemplateRepository wiring', () => {
  it('is built by an inversify container from its settings and logger', async () => {
    await conf.write('templates.json', templatesJson(template('wired')));
    const container = new Container();
    container.bind(TemplateSettings).toConstantValue({ confDir: conf.dir, providerName: 'awsinst', providerType: 'aws' });
    container.bind(Logger).toConstantValue(new RecordingLogger());
    container.bind(TemplateRepository).to(FileTemplateRepository).inSingletonScope();
    const repository = container.get(TemplateRepository);
    expect((await repository.find('wired'))?.templateId).toBe('wired');
  });
});

describe('FileTemplateRepository.list: files written on Windows', () => {
  it('reads a JSON file that starts with a byte-order mark', async () => {
    await conf.write('templates.json', `\uFEFF${templatesJson(template('bom'))}`);
    expect(ids((await conf.repository.list()).templates)).toEqual(['bom']);
  });
});
