import type { ChildProcess } from 'node:child_process';

/** A child still running this long is killed by its own timeout: far more than any call needs, even 50 at once on 2 cores. */
export const CHILD_TIMEOUT_MS = 240_000;

/** The children the tests of this file started and that have not exited yet (on globalThis, like the harness's temp dirs). */
export function liveChildren(): Set<ChildProcess> {
  const holder = globalThis as { hostFactoryTestChildren?: Set<ChildProcess> };
  holder.hostFactoryTestChildren ??= new Set<ChildProcess>();
  return holder.hostFactoryTestChildren;
}

/**
 * Records a child a test started, so that test/support/setup.ts kills it once no test of the file
 * is running any more (a test that failed or timed out leaves nothing running behind it). Start
 * every child with a `timeout` too. Not for a child meant to outlive one test (started in beforeAll).
 */
export function tracked<T extends ChildProcess>(child: T): T {
  const children = liveChildren();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every tracked child still running. */
export function killLiveChildren(): void {
  const children = liveChildren();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}
