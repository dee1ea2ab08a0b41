import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';

// Every temp dir a HostFactoryInstance made in this test file goes when the file is done.
afterAll(() => {
  const roots = (globalThis as { hostFactoryInstanceRoots?: Set<string> }).hostFactoryInstanceRoots;
  for (const root of roots ?? []) rmSync(root, { recursive: true, force: true });
  roots?.clear();
});
