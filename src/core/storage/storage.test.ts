import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesBelow, startTestS3, type TestS3 } from '../../../test/storage.ts';
import { LocalStorage } from './local-storage.ts';
import { S3Storage } from './s3-storage.ts';
import { type FileStorage, StorageObjectNotFound } from './storage.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body that yields `bytes` in 64 KB chunks and then fails. */
function failingBody(bytes: number): Readable {
  return Readable.from(
    (async function* () {
      for (let sent = 0; sent < bytes; sent += 65536) yield Buffer.alloc(65536, 1);
      throw new Error('client went away');
    })(),
  );
}

interface Backend {
  name: string;
  storage: FileStorage;
  /** What is stored, as the backend lists it. */
  listing(): Promise<string[]>;
}

const backends: Array<{ name: string; start(): Promise<Backend & { stop(): Promise<void> }> }> = [
  {
    name: 'local',
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'workmate-storage-'));
      const root = join(dir, 'uploads');
      return {
        name: 'local',
        storage: new LocalStorage(root),
        listing: async () => filesBelow(root),
        stop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 's3',
    async start() {
      const s3: TestS3 = await startTestS3();
      const storage = new S3Storage({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
      });
      return {
        name: 's3',
        storage,
        listing: () => s3.keys(),
        stop: async () => {
          storage.close();
          await s3.close();
        },
      };
    },
  },
];

describe.each(backends)('$name storage', ({ start }) => {
  let backend: Backend & { stop(): Promise<void> };
  beforeAll(async () => {
    backend = await start();
  });
  afterAll(() => backend.stop());

  it('streams a file in and out unchanged, and deletes it', async () => {
    const { storage } = backend;
    const data = randomBytes(7 * 1024 * 1024 + 123); // more than one S3 part
    await storage.put('documents/2026/05/roundtrip', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      contentType: 'application/pdf',
    });
    expect(await backend.listing()).toEqual(['documents/2026/05/roundtrip']);
    const stored = await storage.get('documents/2026/05/roundtrip');
    expect(stored.size).toBe(data.length);
    expect(sha256(await readAll(stored.stream))).toBe(sha256(data));
    await storage.delete('documents/2026/05/roundtrip');
    expect(await backend.listing()).toEqual([]);
    await expect(storage.get('documents/2026/05/roundtrip')).rejects.toBeInstanceOf(StorageObjectNotFound);
    await storage.delete('documents/2026/05/roundtrip'); // deleting nothing is fine
  });

  it('leaves nothing behind when the body fails half-way (small and multipart-sized)', async () => {
    for (const bytes of [100_000, 6 * 1024 * 1024]) {
      await expect(backend.storage.put('documents/failed', failingBody(bytes))).rejects.toThrow('client went away');
      expect(await backend.listing()).toEqual([]);
    }
  });

  it('refuses keys that could escape or hide', async () => {
    for (const key of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a//b',
      '.tmp/x',
      'a/.hidden',
      '',
      'a\\b',
      'a/b/',
      'a\u0000b',
    ]) {
      await expect(backend.storage.put(key, Readable.from([Buffer.from('x')])), key).rejects.toThrow(
        /invalid storage key/,
      );
      await expect(backend.storage.get(key), key).rejects.toThrow(/invalid storage key/);
      await expect(backend.storage.delete(key), key).rejects.toThrow(/invalid storage key/);
    }
    expect(await backend.listing()).toEqual([]);
  });

  it('reports its health', async () => {
    expect(await backend.storage.health()).toMatchObject({ status: 'ok', backend: backend.name });
  });
});

describe('local storage', () => {
  it('never shows a half-written file under its key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workmate-storage-'));
    const storage = new LocalStorage(join(dir, 'uploads'));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = Readable.from(
      (async function* () {
        yield Buffer.alloc(65536, 2);
        await gate;
        yield Buffer.alloc(65536, 3);
      })(),
    );
    const writing = storage.put('documents/slow', body);
    // While the body is still open, the bytes sit in a temp file and the key shows nothing.
    for (let i = 0; i < 100 && filesBelow(join(dir, 'uploads')).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const during = filesBelow(join(dir, 'uploads'));
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.tmp\//);
    await expect(storage.get('documents/slow')).rejects.toBeInstanceOf(StorageObjectNotFound);
    release();
    await writing;
    expect(filesBelow(join(dir, 'uploads'))).toEqual(['documents/slow']);
    const stored = await storage.get('documents/slow');
    expect(stored.size).toBe(131072);
    expect((await readAll(stored.stream)).length).toBe(131072);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a directory it cannot create', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workmate-storage-'));
    writeFileSync(join(dir, 'a-file'), 'x');
    const storage = new LocalStorage(join(dir, 'a-file', 'uploads'));
    expect(await storage.health()).toMatchObject({ status: 'error', backend: 'local' });
    expect(await new LocalStorage(join(dir, 'not', 'yet', 'there')).health()).toMatchObject({ status: 'ok' });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('s3 storage', () => {
  it('reports a missing bucket without throwing', async () => {
    const s3 = await startTestS3();
    const storage = new S3Storage({
      bucket: 'no-such-bucket',
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    expect(await storage.health()).toMatchObject({ status: 'error', backend: 's3', error: 'bucket not found' });
    storage.close();
    await s3.close();
  });
});
