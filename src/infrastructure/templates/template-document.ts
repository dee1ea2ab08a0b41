import type { Document, YAMLSeq } from 'yaml';
import { withoutBom, type TemplateFileFormat } from './template-files.js';

/** A template file opened for editing: changes touch only the `templates` entries they name. */
export interface TemplateDocument {
  /** The template entries as read (plain objects). */
  readonly entries: readonly unknown[];
  add(raw: unknown): void;
  replace(index: number, raw: unknown): void;
  remove(index: number): void;
  /** The file's new text, in the file's own format. */
  serialize(): string;
}

class JsonTemplateDocument implements TemplateDocument {
  private readonly root: Record<string, unknown>;
  private readonly list: unknown[];

  constructor(text: string) {
    const root: unknown = JSON.parse(withoutBom(text));
    if (typeof root !== 'object' || root === null || Array.isArray(root)) {
      throw new Error('the file must hold an object with a "templates" list');
    }
    this.root = root as Record<string, unknown>;
    if (!Array.isArray(this.root.templates)) throw new Error('the file has no "templates" list');
    this.list = this.root.templates;
  }

  get entries(): readonly unknown[] {
    return this.list;
  }

  add(raw: unknown): void {
    this.list.push(raw);
  }

  replace(index: number, raw: unknown): void {
    this.list[index] = raw;
  }

  remove(index: number): void {
    this.list.splice(index, 1);
  }

  serialize(): string {
    return `${JSON.stringify(this.root, null, 2)}\n`;
  }
}

/** YAML edited through its document model, so comments and layout of other templates survive. */
class YamlTemplateDocument implements TemplateDocument {
  constructor(
    private readonly document: Document,
    private readonly isSeq: (node: unknown) => node is YAMLSeq,
  ) {
    const [error] = this.document.errors;
    if (error) throw new Error(error.message);
    // An empty flow list (`templates: []`) would otherwise keep new templates on one line.
    if (this.seq.items.length === 0) this.seq.flow = false;
  }

  private get seq(): YAMLSeq {
    const templates = this.document.get('templates');
    if (!this.isSeq(templates)) throw new Error('the file has no "templates" list');
    return templates;
  }

  get entries(): readonly unknown[] {
    const root = this.document.toJS() as { templates: unknown[] };
    return root.templates;
  }

  add(raw: unknown): void {
    this.seq.add(this.document.createNode(raw));
  }

  replace(index: number, raw: unknown): void {
    this.seq.set(index, this.document.createNode(raw));
  }

  remove(index: number): void {
    this.seq.delete(index);
  }

  serialize(): string {
    return this.document.toString();
  }
}

/** Opens a template file's text for editing; `undefined` text is a new, empty file. YAML is loaded only for YAML files. */
export async function openTemplateDocument(text: string | undefined, format: TemplateFileFormat): Promise<TemplateDocument> {
  if (format === 'yaml') {
    const { parseDocument, isSeq } = await import('yaml');
    return new YamlTemplateDocument(parseDocument(text ?? 'templates: []\n'), isSeq);
  }
  return new JsonTemplateDocument(text ?? '{"templates": []}');
}
