// Preloaded with `node --import` (through NODE_OPTIONS) by tests that check which AWS SDK packages a
// call loads: every `@aws-sdk/*` and `@smithy/*` package the process loads, whether imported as an
// ES module (a module resolve hook) or required as CommonJS (the product loads the SDK with
// `require`, see src/shared/load-commonjs.ts; Module._load sees every require), is appended to the
// file named by HF_TEST_SDK_IMPORTS, one per line.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.HF_TEST_SDK_IMPORTS;
const PACKAGE = /^(@aws-sdk|@smithy)\/[^/]+/;

const hook = `
import { appendFileSync } from 'node:fs';
const file = process.env.HF_TEST_SDK_IMPORTS;
export async function resolve(specifier, context, next) {
  const match = ${PACKAGE}.exec(specifier);
  if (file && match) appendFileSync(file, match[0] + '\\n');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const load = Module._load;
Module._load = function recordingLoad(request, ...rest) {
  const match = PACKAGE.exec(request);
  if (file && match) appendFileSync(file, match[0] + '\n');
  return load.call(this, request, ...rest);
};
