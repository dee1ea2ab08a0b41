import { describe, expect, it } from 'vitest';
import type { TemplateFileContent } from '../../../src/infrastructure/templates/template-files.js';
import { mergeTemplateFiles } from '../../../src/infrastructure/templates/template-hierarchy.js';

const attributes = { type: 'X86_64', ncpus: 2, nram: 4096 };
const template = (templateId: string, more: Record<string, unknown> = {}) => ({
  templateId,
  maxNumber: 5,
  attributes,
  vmType: 'm5.large',
  ...more,
});
const file = (name: string, ...entries: unknown[]): TemplateFileContent => ({ file: `/conf/${name}`, ok: true, entries });

describe('mergeTemplateFiles', () => {
  it('takes each template whole from the highest-priority file that defines it', () => {
    const listing = mergeTemplateFiles([
      file('high.json', template('a', { vmType: 'c5.large' })),
      file('low.json', template('a', { keyName: 'low-key' }), template('b')),
    ]);
    expect(listing.problems).toEqual([]);
    expect(listing.templates.map((t) => [t.templateId, t.sourceFile])).toEqual([
      ['a', '/conf/high.json'],
      ['b', '/conf/low.json'],
    ]);
    const a = listing.templates[0];
    expect(a.vmType).toBe('c5.large');
    expect(a.keyName).toBeUndefined();
  });

  it('leaves out an invalid override instead of falling back, and says so', () => {
    const listing = mergeTemplateFiles([
      file('high.json', template('a', { maxNumber: 'lots' })),
      file('low.json', template('a')),
    ]);
    expect(listing.templates).toEqual([]);
    expect(listing.problems).toHaveLength(1);
    expect(listing.problems[0]).toMatchObject({ file: '/conf/high.json', templateId: 'a', field: 'maxNumber' });
    expect(listing.problems[0].message).toContain('/conf/low.json is not used');
  });

  it('keeps the first of two definitions in one file and reports the second', () => {
    const listing = mergeTemplateFiles([file('one.json', template('a', { vmType: 'first' }), template('a', { vmType: 'second' }))]);
    expect(listing.templates.map((t) => t.vmType)).toEqual(['first']);
    expect(listing.problems).toEqual([
      expect.objectContaining({ file: '/conf/one.json', templateId: 'a', message: expect.stringMatching(/more than once/) }),
    ]);
  });

  it('reports entries without a templateId and keeps the rest', () => {
    const listing = mergeTemplateFiles([file('one.json', { maxNumber: 1 }, 'junk', template('ok'))]);
    expect(listing.templates.map((t) => t.templateId)).toEqual(['ok']);
    expect(listing.problems.map((p) => p.field)).toEqual(['templates.0.templateId', 'templates.1.templateId']);
  });

  it('reports an unreadable file and still lists the other files', () => {
    const broken: TemplateFileContent = { file: '/conf/bad.json', ok: false, problem: { file: '/conf/bad.json', message: 'bad JSON' } };
    const listing = mergeTemplateFiles([broken, file('good.json', template('a'))]);
    expect(listing.templates.map((t) => t.templateId)).toEqual(['a']);
    expect(listing.problems).toEqual([{ file: '/conf/bad.json', message: 'bad JSON' }]);
  });
});
