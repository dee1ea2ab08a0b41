import { readdir, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { HostFactoryError } from '../../domain/errors.js';
import type { TemplateProblem } from '../../domain/ports/template-repository.js';
import type { TemplateSettings } from './template-settings.js';

const EXTENSIONS = ['.json', '.yaml', '.yml'];

export type TemplateFileFormat = 'json' | 'yaml';

/** What one template file holds: its template entries as read, or why it cannot be used. */
export type TemplateFileContent =
  | { file: string; ok: true; entries: unknown[] }
  | { file: string; ok: false; problem: TemplateProblem };

/** Template file names, highest priority first (CONTRACT.md § Template files). */
export function templateFileNames(settings: TemplateSettings): string[] {
  const { providerName: name, providerType: type } = settings;
  const bases = [`${name}inst_templates`, `${type}type_templates`, `${name}prov_templates`, `${type}prov_templates`, 'templates'];
  const names = bases.flatMap((base) => EXTENSIONS.map((extension) => base + extension));
  return [...new Set(names)];
}

/** The provider instance's own file, where writes go by default. */
export function instanceTemplateFile(settings: TemplateSettings): string {
  return resolve(settings.confDir, `${settings.providerName}inst_templates.json`);
}

export function formatOf(file: string): TemplateFileFormat {
  const extension = extname(file).toLowerCase();
  return extension === '.yaml' || extension === '.yml' ? 'yaml' : 'json';
}

/**
 * The template files present in the config dir, absolute, highest priority first. One `readdir`
 * instead of one failing open per candidate name. Throws CONFIG_INVALID if the dir cannot be read.
 */
export async function findTemplateFiles(settings: TemplateSettings): Promise<string[]> {
  let present: Set<string>;
  try {
    present = new Set(await readdir(settings.confDir));
  } catch (error) {
    throw new HostFactoryError('CONFIG_INVALID', `cannot read the template config dir ${settings.confDir}`, {
      cause: error,
    });
  }
  return templateFileNames(settings)
    .filter((name) => present.has(name))
    .map((name) => resolve(settings.confDir, name));
}

/** Drops the byte-order mark some Windows editors put at the start of a JSON file. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses a template file's text; throws with a readable message if it is not `{"templates": [...]}`.
 * The YAML parser is loaded only for YAML files (it costs a twentieth of a second on every call).
 */
export async function parseTemplateEntries(text: string, format: TemplateFileFormat): Promise<unknown[]> {
  const document: unknown = format === 'yaml' ? (await import('yaml')).parse(text) : JSON.parse(withoutBom(text));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('the file must hold an object with a "templates" list');
  }
  const templates = (document as Record<string, unknown>).templates;
  if (!Array.isArray(templates)) throw new Error('the file has no "templates" list');
  return templates;
}

/** Reads and parses one template file; a file that cannot be read or parsed becomes a problem. */
export async function readTemplateFile(file: string): Promise<TemplateFileContent> {
  try {
    const text = await readFile(file, 'utf8');
    return { file, ok: true, entries: await parseTemplateEntries(text, formatOf(file)) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `cannot read templates from ${file}, its templates are skipped: ${reason}`;
    return { file, ok: false, problem: { file, message } };
  }
}

/** A write target as the user named it: relative paths are taken from the config dir. */
export function resolveTargetFile(settings: TemplateSettings, file: string | undefined): string {
  return file === undefined ? instanceTemplateFile(settings) : resolve(settings.confDir, file);
}
