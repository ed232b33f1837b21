import { randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, type FileStorage, StorageObjectNotFound, type StoredFile } from './storage.ts';

/** Temp files of unfinished writes, inside the root so the final rename never crosses filesystems. */
const TEMP_DIR = '.tmp';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Files in a directory (default `$DATA_DIR/uploads`), one file per key. A write goes to a temp
 * file under `.tmp/` and is renamed onto its key only when complete, so a half-written file
 * never appears under a key. The directory is created on the first write, not at start.
 */
export class LocalStorage implements FileStorage {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  /** The absolute path of a key; refuses keys that would leave the directory. */
  pathFor(key: string): string {
    assertValidKey(key);
    const path = join(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new Error(`storage key escapes the directory: ${key}`);
    return path;
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.pathFor(key);
    const temp = join(this.root, TEMP_DIR, randomUUID());
    await mkdir(dirname(temp), { recursive: true });
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredFile> {
    const path = this.pathFor(key);
    // Opened here, not lazily by the stream: a missing file fails this call, not a later read.
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw isMissing(error) ? new StorageObjectNotFound(key) : error;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageObjectNotFound(key);
      return { stream: handle.createReadStream(), size: info.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathFor(key), { force: true });
  }

  async health(): Promise<Record<string, unknown>> {
    // Before the first upload the directory need not exist: then its nearest existing ancestor
    // must be writable, so the first write can create it.
    let dir = this.root;
    for (;;) {
      try {
        await access(dir, constants.W_OK);
        return { status: 'ok', backend: 'local' };
      } catch (error) {
        const parent = dirname(dir);
        if (!isMissing(error) || parent === dir) {
          return { status: 'error', backend: 'local', error: 'upload directory not writable' };
        }
        dir = parent;
      }
    }
  }
}
