import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { killLiveChildren } from './child-processes.js';

// A child process a test started and left running (the test failed or timed out while it ran) is
// killed as soon as no test of the file runs any more: at the end of that test, or of the last of
// the concurrent tests running beside it, whose own children must not be killed under them.
let running = 0;
beforeEach(() => {
  running += 1;
});
afterEach(() => {
  running -= 1;
  if (running === 0) killLiveChildren();
});

// Every temp dir a HostFactoryInstance made in this test file goes when the file is done.
afterAll(() => {
  killLiveChildren();
  const roots = (globalThis as { hostFactoryInstanceRoots?: Set<string> }).hostFactoryInstanceRoots;
  for (const root of roots ?? []) rmSync(root, { recursive: true, force: true });
  roots?.clear();
});
