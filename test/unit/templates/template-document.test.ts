import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openTemplateDocument } from '../../../src/infrastructure/templates/template-document.js';

const yamlFile = `# templates of the hpc team
templates:
  # the general purpose one
  - templateId: a
    maxNumber: 5 # keep small
  - templateId: b
    maxNumber: 7
`;

describe('openTemplateDocument', () => {
  it('edits JSON keeping the other keys and templates, pretty-printed with 2 spaces', async () => {
    const document = await openTemplateDocument('{"owner":"hpc","templates":[{"templateId":"a"},{"templateId":"b"}]}', 'json');
    document.replace(0, { templateId: 'a', maxNumber: 1 });
    document.remove(1);
    document.add({ templateId: 'c' });
    expect(document.serialize()).toBe(
      '{\n  "owner": "hpc",\n  "templates": [\n    {\n      "templateId": "a",\n      "maxNumber": 1\n    },\n    {\n      "templateId": "c"\n    }\n  ]\n}\n',
    );
  });

  it('edits YAML keeping the comments of the templates it does not touch', async () => {
    const document = await openTemplateDocument(yamlFile, 'yaml');
    expect(document.entries).toEqual([
      { templateId: 'a', maxNumber: 5 },
      { templateId: 'b', maxNumber: 7 },
    ]);
    document.remove(1);
    document.add({ templateId: 'c', vmTypes: { 'm5.large': 1 } });
    const text = document.serialize();
    expect(text).toContain('# templates of the hpc team');
    expect(text).toContain('# the general purpose one');
    expect(text).toContain('maxNumber: 5 # keep small');
    expect(parse(text)).toEqual({ templates: [{ templateId: 'a', maxNumber: 5 }, { templateId: 'c', vmTypes: { 'm5.large': 1 } }] });
  });

  it('starts a new file as an empty list, in block style for YAML', async () => {
    const json = await openTemplateDocument(undefined, 'json');
    json.add({ templateId: 'a' });
    expect(JSON.parse(json.serialize())).toEqual({ templates: [{ templateId: 'a' }] });
    const yaml = await openTemplateDocument(undefined, 'yaml');
    yaml.add({ templateId: 'a' });
    expect(yaml.serialize()).toBe('templates:\n  - templateId: a\n');
  });

  it('refuses a file that is not a template file', async () => {
    await expect(openTemplateDocument('{"templates": {}}', 'json')).rejects.toThrow(/templates/);
    await expect(openTemplateDocument('templates: [a\n', 'yaml')).rejects.toThrow();
    await expect(openTemplateDocument('[1]', 'json')).rejects.toThrow(/templates/);
  });
});
