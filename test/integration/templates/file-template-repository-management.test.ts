import { chmod, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeConfDir, template, templatesJson, type ConfDir } from './template-fixtures.js';

let conf: ConfDir;
beforeEach(async () => {
  conf = await makeConfDir();
});
afterEach(async () => {
  await conf.cleanup();
});

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as { templates: Record<string, unknown>[] };
const instanceFile = () => join(conf.dir, 'awsinstinst_templates.json');

const yamlFile = `# shared templates, edited by hand
templates:
  - templateId: yaml-a # the first one
    maxNumber: 4
    attributes: {type: X86_64, ncpus: 1, nram: 1024}
    vmType: t3.small
`;

describe('FileTemplateRepository.add', () => {
  it('creates the instance file by default and the template is listed from it', async () => {
    const raw = template('new', { customKey: 'kept' });
    const file = await conf.repository.add(raw);
    expect(file).toBe(instanceFile());
    expect(await readFile(file, 'utf8')).toBe(`${JSON.stringify({ templates: [raw] }, null, 2)}\n`);
    const listed = await conf.repository.find('new');
    expect(listed?.sourceFile).toBe(file);
    expect(listed?.raw).toMatchObject({ customKey: 'kept' });
  });

  it('appends to a named file, relative to the config dir, keeping the other templates exactly', async () => {
    const other = template('other', { instanceTags: 'a=1', unknownKey: { deep: [1, 2] } });
    const file = await conf.write('awsprov_templates.json', templatesJson(other));
    expect(await conf.repository.add(template('added'), { file: 'awsprov_templates.json' })).toBe(file);
    expect((await readJson(file)).templates).toEqual([other, template('added')]);
  });

  it('keeps a YAML file YAML, with its comments', async () => {
    const file = await conf.write('awstype_templates.yaml', yamlFile);
    await conf.repository.add(template('yaml-b'), { file });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# shared templates, edited by hand');
    expect(text).toContain('templateId: yaml-a # the first one');
    expect(parse(text).templates.map((t: { templateId: string }) => t.templateId)).toEqual(['yaml-a', 'yaml-b']);
    expect((await conf.repository.find('yaml-b'))?.sourceFile).toBe(file);
  });

  it('refuses an id that already exists in the target file, leaving it unchanged', async () => {
    const before = templatesJson(template('dup'));
    const file = await conf.write('awsinstinst_templates.json', before);
    await expect(conf.repository.add(template('dup', { maxNumber: 1 }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('adds an id that exists only in a lower-priority file, overriding it', async () => {
    await conf.write('awsprov_templates.json', templatesJson(template('t', { maxNumber: 1 })));
    await conf.repository.add(template('t', { maxNumber: 2 }));
    expect((await conf.repository.find('t'))?.maxNumber).toBe(2);
  });

  it('never writes an invalid template', async () => {
    await expect(conf.repository.add(template('bad', { volumeType: 'floppy' }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('volumeType'),
    });
    expect(await readdir(conf.dir)).toEqual([]);
  });

  it('refuses to edit a malformed file and leaves it as it was', async () => {
    const file = await conf.write('awsinstinst_templates.json', '{"templates": [');
    await expect(conf.repository.add(template('x'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readFile(file, 'utf8')).toBe('{"templates": [');
  });

  it('lets concurrent writers all land', async () => {
    const writers = Array.from({ length: 12 }, (_, index) => conf.another().add(template(`c-${index}`)));
    await Promise.all(writers);
    const { templates } = await readJson(instanceFile());
    expect(templates.map((t) => t.templateId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `c-${i}`).sort());
  });

  it('leaves no temp or lock files behind and keeps the file mode', async () => {
    const file = await conf.write('awsinstinst_templates.json', templatesJson());
    await chmod(file, 0o600);
    await conf.repository.add(template('a'));
    await conf.repository.update(template('a', { maxNumber: 3 }));
    expect(await readdir(conf.dir)).toEqual(['awsinstinst_templates.json']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('FileTemplateRepository.update', () => {
  it('rewrites the template in the file it lives in, in place', async () => {
    const first = template('first');
    const last = template('last', { note: 'hand written' });
    const file = await conf.write('awsprov_templates.json', templatesJson(first, template('mid'), last));
    const changed = template('mid', { maxNumber: 50, vmTypes: { 'm5.large': 1, 'm5.2xlarge': 4 } });
    expect(await conf.repository.update(changed)).toBe(file);
    expect((await readJson(file)).templates).toEqual([first, changed, last]);
    expect((await conf.repository.find('mid'))?.vmTypes).toEqual({ 'm5.large': 1, 'm5.2xlarge': 4 });
  });

  it('updates the effective (highest-priority) definition', async () => {
    const high = await conf.write('awstype_templates.json', templatesJson(template('t', { maxNumber: 1 })));
    const low = await conf.write('templates.json', templatesJson(template('t', { maxNumber: 2 })));
    expect(await conf.repository.update(template('t', { maxNumber: 3 }))).toBe(high);
    expect((await readJson(low)).templates[0].maxNumber).toBe(2);
    expect((await conf.repository.find('t'))?.maxNumber).toBe(3);
  });

  it('fixes a broken template in its file', async () => {
    await conf.write('awsprov_templates.json', templatesJson(template('t', { maxNumber: 'x' })));
    expect(await conf.repository.find('t')).toBeUndefined();
    await conf.repository.update(template('t'));
    expect((await conf.repository.find('t'))?.maxNumber).toBe(10);
  });

  it('writes YAML back as YAML', async () => {
    const file = await conf.write('awstype_templates.yaml', yamlFile);
    await conf.repository.update({ ...parse(yamlFile).templates[0], maxNumber: 8 });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# shared templates, edited by hand');
    expect(parse(text).templates[0].maxNumber).toBe(8);
  });

  it('throws TEMPLATE_NOT_FOUND for an unknown id, or one missing from the named file', async () => {
    await conf.write('templates.json', templatesJson(template('t')));
    await conf.write('awsprov_templates.json', templatesJson());
    await expect(conf.repository.update(template('nope'))).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    await expect(conf.repository.update(template('t'), { file: 'awsprov_templates.json' })).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
    });
    await expect(conf.repository.update(template('t'), { file: 'absent.json' })).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
    });
  });

  it('never writes an invalid template', async () => {
    const before = templatesJson(template('t'));
    const file = await conf.write('templates.json', before);
    await expect(conf.repository.update(template('t', { percentOnDemand: 150 }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});

describe('FileTemplateRepository.remove', () => {
  it('removes the template from the file it lives in, keeping the others', async () => {
    const keep = template('keep', { odd: true });
    const file = await conf.write('awsprov_templates.json', templatesJson(keep, template('gone')));
    expect(await conf.repository.remove('gone')).toBe(file);
    expect((await readJson(file)).templates).toEqual([keep]);
    expect(await conf.repository.find('gone')).toBeUndefined();
  });

  it('removing an override brings back the lower-priority definition', async () => {
    await conf.write('awsprov_templates.json', templatesJson(template('t', { maxNumber: 1 })));
    await conf.write('awsinstinst_templates.json', templatesJson(template('t', { maxNumber: 2 })));
    await conf.repository.remove('t');
    expect((await conf.repository.find('t'))?.maxNumber).toBe(1);
  });

  it('removes from a named file only', async () => {
    await conf.write('awsinstinst_templates.json', templatesJson(template('t', { maxNumber: 2 })));
    const low = await conf.write('templates.json', templatesJson(template('t', { maxNumber: 1 })));
    expect(await conf.repository.remove('t', { file: low })).toBe(low);
    expect((await readJson(low)).templates).toEqual([]);
    expect((await conf.repository.find('t'))?.maxNumber).toBe(2);
  });

  it('throws TEMPLATE_NOT_FOUND for an id that is not there', async () => {
    await conf.write('templates.json', templatesJson(template('t')));
    await expect(conf.repository.remove('nope')).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
    await expect(conf.repository.remove('t', { file: 'awsinstinst_templates.json' })).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
    });
  });

  it('lets concurrent removals and additions all land', async () => {
    await conf.write('awsinstinst_templates.json', templatesJson(...Array.from({ length: 6 }, (_, i) => template(`old-${i}`))));
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => conf.another().remove(`old-${i}`)),
      ...Array.from({ length: 6 }, (_, i) => conf.another().add(template(`new-${i}`))),
    ]);
    const { templates } = await readJson(instanceFile());
    expect(templates.map((t) => t.templateId).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `new-${i}`).sort());
  });
});
