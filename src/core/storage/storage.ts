import type { Readable } from 'node:stream';

/** A stored file being read: its bytes as a stream and its length. */
export interface StoredFile {
  stream: Readable;
  size: number;
}

/**
 * Where uploaded files live: one interface over a local directory and S3-compatible object
 * storage. Keys are chosen by the server (`documents/2026/05/<uuid>`), never by a client.
 * `put` streams (nothing is buffered whole) and is all-or-nothing: when the body fails or the
 * backend refuses, nothing is left under the key.
 */
export interface FileStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Readable, options?: { contentType?: string }): Promise<void>;
  /** Throws StorageObjectNotFound for a key with nothing stored. */
  get(key: string): Promise<StoredFile>;
  /** Removes the file; a key with nothing stored is not an error. */
  delete(key: string): Promise<void>;
  /** For /health/ready (never fails readiness): `{status: 'ok' | 'error', backend, …}`. */
  health(): Promise<Record<string, unknown>>;
  /** Releases connections at shutdown (S3's HTTP agent). */
  close?(): void;
}

export class StorageObjectNotFound extends Error {
  constructor(readonly key: string) {
    super(`no stored file under ${key}`);
  }
}

/**
 * Keys are relative, slash-separated, and every segment starts with a letter or digit; so no
 * `..`, no absolute paths, no hidden names (the local backend keeps its temp files in `.tmp`).
 */
const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(\/[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)*$/;

export function assertValidKey(key: string): void {
  if (key.length > 512 || !KEY.test(key)) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
}
