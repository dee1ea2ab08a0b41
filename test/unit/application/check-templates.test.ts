import { describe, expect, it } from 'vitest';
import { CheckTemplates } from '../../../src/application/check-templates.js';
import type { CloudProvider, TemplateCheck } from '../../../src/domain/ports/cloud-provider.js';
import type { Template } from '../../../src/domain/template.js';
import { FakeCloudProvider } from '../../support/fake-cloud-provider.js';
import { aTemplate } from '../../support/mothers.js';
import { FakeTemplateRepository } from '../../support/test-container.js';

const problem = { file: '/conf/bad.json', templateId: 'Broken', field: 'maxNumber', message: 'must be a number' };
const templates = new FakeTemplateRepository({ templates: [aTemplate({ templateId: 'A' }), aTemplate({ templateId: 'B' })], problems: [problem] });

/** A cloud whose check fails template B on its image and passes the others; it records what it was asked. */
function checkingCloud(asked: string[][]): CloudProvider {
  const checkTemplates = async (list: readonly Template[]): Promise<TemplateCheck[]> => {
    asked.push(list.map((template) => template.templateId));
    return list.map((template) => ({
      templateId: template.templateId,
      findings: [{ field: 'imageId', status: template.templateId === 'B' ? 'fail' : 'pass', message: 'checked' }],
    }));
  };
  return Object.assign(new FakeCloudProvider(), { checkTemplates });
}

describe('CheckTemplates (templates validate --cloud)', () => {
  it('asks the cloud about every valid template, and reports the ones invalid offline as failed without asking', async () => {
    const asked: string[][] = [];
    const report = await new CheckTemplates(templates, checkingCloud(asked)).execute();
    expect(asked).toEqual([['A', 'B']]);
    expect(report.passed).toBe(false);
    expect(report.checks.map((check) => [check.templateId, check.findings[0].status])).toEqual([['A', 'pass'], ['B', 'fail'], ['Broken', 'fail']]);
    expect(report.checks[2].findings[0]).toEqual({ field: 'maxNumber', status: 'fail', message: '/conf/bad.json: must be a number' });
  });

  it('only the ids given: passed when none of them failed; an unknown id is TEMPLATE_NOT_FOUND', async () => {
    const asked: string[][] = [];
    const report = await new CheckTemplates(templates, checkingCloud(asked)).execute(['A']);
    expect(asked).toEqual([['A']]);
    expect(report).toMatchObject({ passed: true, checks: [{ templateId: 'A' }] });
    await expect(new CheckTemplates(templates, checkingCloud(asked)).execute(['Nope'])).rejects.toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });
  });

  it('a cloud that cannot check templates is refused as invalid input', async () => {
    await expect(new CheckTemplates(templates, new FakeCloudProvider()).execute()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
