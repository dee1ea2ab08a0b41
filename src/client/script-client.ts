#!/usr/bin/env node
// The scripts' way to a running `hostfactory serve` of their provider instance (when curl is not
// on PATH; see scripts/run-operation.sh): it loads only node's own modules, and runs the call
// in-process, through the full CLI next to it in dist/bundle/, when no server takes it.
import { isHostFactoryOperation, lostCallMessage, REPEATABLE_OPERATIONS } from '../shared/hostfactory-protocol.js';
import { callServer } from './serve-call.js';

async function main(): Promise<void> {
  const [name, flag, file, ...rest] = process.argv.slice(2);
  const operation = isHostFactoryOperation(name) && flag === '-f' && file !== undefined && rest.length === 0 ? name : undefined;
  const call = operation ? await callServer(operation, file, process.env) : undefined;

  if (call?.kind === 'answered') {
    process.stdout.write(call.stdout);
    if (call.stderrLine !== undefined) process.stderr.write(call.stderrLine + '\n');
    process.exitCode = call.exitCode;
  } else if (operation && call?.kind === 'lost' && !REPEATABLE_OPERATIONS.has(operation)) {
    const message = lostCallMessage(operation);
    process.stdout.write(JSON.stringify({ message, code: 'INTERNAL' }) + '\n');
    process.stderr.write(message + '\n');
    process.exitCode = 1; // EXIT_FAILED
  } else {
    // argv is the script's: the CLI reads it as if it had been started itself.
    await import(new URL('./hostfactory.js', import.meta.url).href);
  }
}

void main();
