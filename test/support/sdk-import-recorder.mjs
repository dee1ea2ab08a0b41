// Preloaded with `node --import` (through NODE_OPTIONS) by tests that check which AWS SDK packages a
// call loads: a module resolve hook appends every `@aws-sdk/*` and `@smithy/*` package the process
// imports (as ES modules: the bundle imports the SDK with `import()`) to the file named by
// HF_TEST_SDK_IMPORTS, one per line.
import { register } from 'node:module';

const hook = `
import { appendFileSync } from 'node:fs';
const file = process.env.HF_TEST_SDK_IMPORTS;
export async function resolve(specifier, context, next) {
  const match = /^(@aws-sdk|@smithy)\\/[^/]+/.exec(specifier);
  if (file && match) appendFileSync(file, match[0] + '\\n');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
