import { z } from 'zod';
import type { AttributeType, TemplateAttributes } from '../../domain/template.js';

const NUMERIC_VALUE = /^-?[0-9]+(\.[0-9]+)?$/;
const ATTRIBUTE_TYPES = ['String', 'Numeric', 'Boolean'] as const;
/** Attributes HostFactory compares as numbers: their values must be numeric. */
const NUMERIC_ATTRIBUTES = new Set(['ncpus', 'nram', 'ncores', 'rank']);
const REQUIRED_ATTRIBUTES = ['type', 'ncpus', 'nram'];

type Pair = [AttributeType, string];

const scalar = z.union([z.string(), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean()]);
const pair = z.tuple([z.enum(ATTRIBUTE_TYPES), scalar]);

const attributeValue = z.union([pair, scalar], {
  error: 'must be a string, a number, a boolean or a [type, value] pair',
});

/**
 * One attribute as written, as a `[type, string]` pair: bare numbers become Numeric, bare strings
 * String (Numeric for the numeric attributes when they spell a number, `"ncpus": "2"`), booleans
 * Boolean; pairs are kept, with their value stringified.
 */
function toPair(name: string, value: z.output<typeof attributeValue>): Pair {
  if (Array.isArray(value)) return [value[0], String(value[1])];
  if (typeof value === 'number') return ['Numeric', String(value)];
  if (typeof value === 'boolean') return ['Boolean', String(value)];
  return [NUMERIC_ATTRIBUTES.has(name) && NUMERIC_VALUE.test(value) ? 'Numeric' : 'String', value];
}

function checkPair(name: string, [type, text]: Pair, ctx: z.RefinementCtx): Pair {
  if (NUMERIC_ATTRIBUTES.has(name) && type !== 'Numeric') {
    ctx.addIssue({ code: 'custom', path: [name], message: `must be Numeric, not ${type}` });
  }
  if (name === 'type' && type !== 'String') {
    ctx.addIssue({ code: 'custom', path: [name], message: `must be a String, not ${type}` });
  }
  if (type === 'Numeric' && !NUMERIC_VALUE.test(text)) {
    ctx.addIssue({ code: 'custom', path: [name], message: `must be a number, got "${text}"` });
  }
  if (type === 'Boolean' && text !== 'true' && text !== 'false') {
    ctx.addIssue({ code: 'custom', path: [name], message: `must be true or false, got "${text}"` });
  }
  return [type, text];
}

/**
 * HostFactory attributes: `type`, `ncpus` and `nram` required, `ncores`, `rank`, `priceInfo` and
 * any other attribute optional. The result keeps the administrator's order and values.
 */
export const templateAttributesSchema = z
  .record(z.string(), attributeValue, { error: 'must be an object of attributes' })
  .transform((parsed, ctx): TemplateAttributes => {
    for (const name of REQUIRED_ATTRIBUTES) {
      if (!(name in parsed)) ctx.addIssue({ code: 'custom', path: [name], message: 'is required' });
    }
    const attributes: TemplateAttributes = {};
    for (const [name, value] of Object.entries(parsed)) attributes[name] = checkPair(name, toPair(name, value), ctx);
    return attributes;
  });
