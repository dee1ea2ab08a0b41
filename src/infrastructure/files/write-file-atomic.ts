import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The temp-file name pattern used for `target`, so leftovers of a killed writer can be found. */
export function tempFilePattern(target: string): RegExp {
  const base = path.basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${base}\\.\\d+\\.[0-9a-f]+\\.tmp$`);
}

/**
 * Replaces `target` with `content` so that a reader, or a crash at any moment, sees either the
 * old or the new file, never a partial one: write a temp file in the same directory, fsync it,
 * rename it over the target, fsync the directory. An existing file keeps its mode.
 */
export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await stat(target).then((stats) => stats.mode & 0o7777, () => undefined);
  try {
    const handle = await open(temp, 'wx', mode ?? 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Deletes temp files left by writers killed before their rename. Only call it while holding the
 * store's lock: then no live writer owns a temp file.
 */
export async function removeAbandonedTempFiles(target: string): Promise<void> {
  const pattern = tempFilePattern(target);
  const dir = path.dirname(target);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((name) => pattern.test(name)).map((name) => unlink(path.join(dir, name)).catch(() => undefined)),
  );
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close();
  }
}
