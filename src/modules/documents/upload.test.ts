import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { docx, exe, jpeg, pdf, png, storedZip, xlsx } from '../../../test/fixtures/files.ts';
import { contentDisposition, newStorageKey, sanitizeFileName } from './file-name.ts';
import { detectType, SAMPLE_BYTES, UploadInspector } from './upload-inspector.ts';
import { parseUploadFields } from './upload-reader.ts';

async function inspect(data: Buffer, maxBytes = 1024 * 1024, chunk = 1000) {
  const inspector = new UploadInspector(maxBytes);
  const out: Buffer[] = [];
  const chunks = Array.from({ length: Math.ceil(data.length / chunk) }, (_, i) =>
    data.subarray(i * chunk, (i + 1) * chunk),
  );
  await pipeline(Readable.from(chunks), inspector, async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) out.push(c);
  });
  return { inspector, out: Buffer.concat(out) };
}

describe('type detection', () => {
  it('knows the allowed types from their bytes', async () => {
    expect(await detectType(pdf())).toEqual({ mime: 'application/pdf', type: 'pdf' });
    expect(await detectType(png())).toEqual({ mime: 'image/png', type: 'image' });
    expect(await detectType(jpeg())).toEqual({ mime: 'image/jpeg', type: 'image' });
    expect((await detectType(docx())).type).toBe('doc');
    expect((await detectType(xlsx())).type).toBe('sheet');
  });

  it('refuses everything else with 415, and an empty file with 422', async () => {
    await expect(detectType(exe())).rejects.toMatchObject({ status: 415, code: 'unsupported_file_type' });
    await expect(detectType(Buffer.from('plain text'))).rejects.toMatchObject({ status: 415 });
    const zip = storedZip([{ name: 'readme.txt', data: Buffer.from('not an office file') }]);
    await expect(detectType(zip)).rejects.toMatchObject({ status: 415 });
    await expect(detectType(Buffer.alloc(0))).rejects.toMatchObject({ status: 422, code: 'file_empty' });
  });
});

describe('UploadInspector', () => {
  it('passes the bytes through unchanged and hashes them', async () => {
    for (const data of [pdf(), Buffer.concat([pdf(), randomBytes(3 * SAMPLE_BYTES + 17)])]) {
      const { inspector, out } = await inspect(data);
      expect(out.equals(data)).toBe(true);
      expect(inspector.byteCount).toBe(data.length);
      expect(inspector.checksum()).toBe(createHash('sha256').update(data).digest('hex'));
      expect(inspector.type.type).toBe('pdf');
    }
  });

  it('decides the type from the first bytes, before the rest arrives', async () => {
    const inspector = new UploadInspector(10 * 1024 * 1024);
    const detected = inspector.detected;
    inspector.write(Buffer.concat([exe(), Buffer.alloc(SAMPLE_BYTES)]));
    await expect(detected).rejects.toMatchObject({ status: 415 });
    expect(inspector.destroyed).toBe(true);
  });

  it('stops at the byte limit with 413', async () => {
    const data = Buffer.concat([pdf(), Buffer.alloc(200_000)]);
    await expect(inspect(data, 100_000)).rejects.toMatchObject({ status: 413, code: 'file_too_large' });
    const exact = Buffer.concat([pdf(), Buffer.alloc(100_000 - pdf().length)]);
    await expect(inspect(exact, 100_000)).resolves.toBeTruthy();
  });
});

describe('file names', () => {
  it('keeps the last path segment without control or bidi characters, within 255 characters', () => {
    expect(sanitizeFileName('C:\\Users\\max\\Vertrag.pdf', 'application/pdf')).toBe('Vertrag.pdf');
    expect(sanitizeFileName('../../etc/passwd', 'application/pdf')).toBe('passwd');
    expect(sanitizeFileName('a\u0000b\u001f\u007fc.pdf', 'application/pdf')).toBe('abc.pdf');
    expect(sanitizeFileName('rechnung\u202Efdp.exe', 'application/pdf')).toBe('rechnungfdp.exe');
    expect(sanitizeFileName('  viel   platz .pdf ', 'application/pdf')).toBe('viel platz .pdf');
    expect(sanitizeFileName('Mu\u0308ller.pdf', 'application/pdf')).toBe('Müller.pdf');
    expect(sanitizeFileName('..', 'image/png')).toBe('upload.png');
    expect(sanitizeFileName('', 'application/pdf')).toBe('upload.pdf');
    expect(sanitizeFileName(undefined, 'image/jpeg')).toBe('upload.jpg');
    const long = sanitizeFileName(`${'x'.repeat(300)}.docx`, 'application/pdf');
    expect(long).toHaveLength(255);
    expect(long.endsWith('.docx')).toBe(true);
  });

  it('builds an RFC 6266 Content-Disposition with an ASCII fallback', () => {
    expect(contentDisposition('Vertrag.pdf')).toBe(`attachment; filename="Vertrag.pdf"; filename*=UTF-8''Vertrag.pdf`);
    expect(contentDisposition('Größe "final" (1).pdf')).toBe(
      `attachment; filename="Gro_e _final_ (1).pdf"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%22final%22%20%281%29.pdf`,
    );
    expect(contentDisposition('日本.pdf')).toBe(
      `attachment; filename="__.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf`,
    );
    expect(contentDisposition("a'b\\c;d.pdf")).toBe(
      `attachment; filename="a'b_c;d.pdf"; filename*=UTF-8''a%27b%5Cc%3Bd.pdf`,
    );
  });

  it('chooses storage keys itself', () => {
    expect(newStorageKey(new Date('2026-03-05T12:00:00Z'))).toMatch(/^documents\/2026\/03\/[0-9a-f-]{36}$/);
    expect(newStorageKey()).not.toBe(newStorageKey());
  });
});

describe('upload fields', () => {
  it('reads form text into typed fields', () => {
    expect(
      parseUploadFields({ title: ' T ', is_confidential: 'true', allow_duplicate: 'false', category: '' }),
    ).toEqual({
      title: 'T',
      is_confidential: true,
      allow_duplicate: false,
    });
  });

  it('answers 422 naming each bad field', () => {
    try {
      parseUploadFields({ is_confidential: 'yes', owner_id: 'x', linked_entity_type: 'alien' });
      expect.unreachable();
    } catch (error) {
      const fields = ((error as { errors: Array<{ field: string }> }).errors ?? []).map((e) => e.field).sort();
      expect(fields).toEqual(['is_confidential', 'linked_entity_type', 'owner_id']);
    }
  });
});
