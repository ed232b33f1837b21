import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docx, exe, type FormPart, jpeg, multipart, pdf, png, xlsx } from '../../../test/fixtures/files.ts';
import { auditRowsFor, expectProblem, startTestApp, type TestApp, type TestUser } from '../../../test/helpers.ts';
import { filesBelow, startTestS3, type TestS3 } from '../../../test/storage.ts';
import { countAll } from '../../core/db/list.ts';
import { documents } from './documents.table.ts';

const MB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

interface Backend {
  env: Record<string, string>;
  /** What the storage holds right now, as it lists it. */
  stored(): Promise<string[]>;
  close(): Promise<void>;
}

const backends: Array<{ name: string; start(dir: string): Promise<Backend> }> = [
  {
    name: 'local',
    async start(dir) {
      const uploads = join(dir, 'uploads');
      return { env: { UPLOAD_DIR: uploads }, stored: async () => filesBelow(uploads), close: async () => undefined };
    },
  },
  {
    name: 's3',
    async start() {
      const s3: TestS3 = await startTestS3();
      return { env: s3.env, stored: () => s3.keys(), close: () => s3.close() };
    },
  },
];

describe.each(backends)('documents on $name storage', ({ start }) => {
  let dir: string;
  let backend: Backend;
  let t: TestApp;
  let reader: TestUser;
  let writer: TestUser;
  let colleague: TestUser;
  let deleter: TestUser;
  let hr: TestUser;
  let nobody: TestUser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workmate-documents-'));
    backend = await start(dir);
    t = await startTestApp({ DATA_DIR: dir, ...backend.env });
    reader = await t.userWith(['documents.read']);
    writer = await t.userWith(['documents.read', 'documents.write']);
    colleague = await t.userWith(['documents.read', 'documents.write']);
    deleter = await t.userWith(['documents.read', 'documents.delete']);
    hr = await t.userWith(['documents.read', 'documents.confidential']);
    nobody = await t.userWith(['employees.read']);
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  function upload(
    parts: FormPart[],
    options: { token?: string; stream?: boolean; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const form = multipart(parts);
    return t.app.inject({
      method: 'POST',
      url: '/api/documents',
      headers: { ...auth(options.token ?? writer.token), 'content-type': form.contentType, ...options.headers },
      payload: options.stream ? form.stream() : form.body,
    });
  }

  const filePart = (data: Buffer, filename = 'file.pdf', contentType = 'application/pdf'): FormPart => ({
    name: 'file',
    filename,
    contentType,
    data,
  });

  async function uploaded(parts: FormPart[], token = writer.token) {
    const res = await upload(parts, { token });
    if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  async function rowCount(): Promise<number> {
    const [row] = await t.db.root.select({ n: countAll }).from(documents);
    return row?.n ?? 0;
  }

  /** Runs `action` and checks that it left neither a row nor a stored file behind. */
  async function leavesNothing(action: () => Promise<void>): Promise<void> {
    const [rows, files] = [await rowCount(), await backend.stored()];
    await action();
    expect(await rowCount()).toBe(rows);
    expect(await backend.stored()).toEqual(files);
  }

  async function download(id: string, token = writer.token) {
    return t.app.inject({ method: 'GET', url: `/api/documents/${id}/download`, headers: auth(token) });
  }

  it('answers 401 without a token and 403 without the permission', async () => {
    const document = await uploaded([filePart(pdf())]);
    const id = document.id;
    const routes = [
      ['GET', '/api/documents'],
      ['GET', `/api/documents/${id}`],
      ['GET', `/api/documents/${id}/download`],
      ['GET', `/api/employees/${writer.id}/documents`],
    ] as const;
    for (const [method, url] of routes) {
      expectProblem(await t.request(method, url, { token: null }), 401);
      expectProblem(await t.request(method, url, { token: nobody.token }), 403);
    }
    expectProblem(await upload([filePart(pdf())], { token: '' }), 401);
    expectProblem(await upload([filePart(pdf())], { token: reader.token }), 403);
    for (const method of ['PUT', 'PATCH'] as const) {
      expectProblem(
        await t.request(method, `/api/documents/${id}`, { token: reader.token, body: { title: 'x' } }),
        403,
      );
    }
    expectProblem(await t.request('DELETE', `/api/documents/${id}`, { token: writer.token }), 403);
  });

  it('uploads each allowed type, detected from the bytes, with checksum, audit row and download', async () => {
    const files = [
      { data: pdf(), name: 'vertrag.pdf', mime: 'application/pdf', type: 'pdf' },
      { data: png(), name: 'foto.png', mime: 'image/png', type: 'image' },
      { data: jpeg(), name: 'scan.jpg', mime: 'image/jpeg', type: 'image' },
      {
        data: docx(),
        name: 'brief.docx',
        mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        type: 'doc',
      },
      {
        data: xlsx(),
        name: 'zahlen.xlsx',
        mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        type: 'sheet',
      },
    ];
    for (const file of files) {
      // The client's content type is ignored: the bytes decide.
      const res = await upload([filePart(file.data, file.name, 'application/octet-stream')]);
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(res.headers.location).toBe(`/api/documents/${body.id}`);
      expect(res.headers.etag).toBeTruthy();
      expect(body).toMatchObject({
        title: file.name,
        file_name: file.name,
        mime_type: file.mime,
        type: file.type,
        size_bytes: file.data.length,
        checksum: sha256(file.data),
        owner_id: writer.id,
        is_confidential: false,
        category: null,
        customer_id: null,
        linked_entity_type: null,
      });
      expect(body.storage_key).toMatch(/^documents\/\d{4}\/\d{2}\/[0-9a-f-]{36}$/);
      expect(await backend.stored()).toContain(body.storage_key);
      const audit = await auditRowsFor(t, 'document', body.id);
      expect(audit[0]).toMatchObject({ action: 'create', actor_id: writer.id, resource_name: file.name });

      const res2 = await download(body.id, reader.token);
      expect(res2.statusCode).toBe(200);
      expect(res2.headers['content-type']).toBe(file.mime);
      expect(res2.headers['content-length']).toBe(String(file.data.length));
      expect(res2.headers['x-content-type-options']).toBe('nosniff');
      expect(res2.headers['content-disposition']).toBe(
        `attachment; filename="${file.name}"; filename*=UTF-8''${file.name}`,
      );
      expect(sha256(res2.rawPayload)).toBe(sha256(file.data));
    }
  });

  it('streams a multi-megabyte file in and out unchanged', async () => {
    const data = Buffer.concat([pdf(), randomBytes(12 * MB)]);
    const res = await upload([filePart(data, 'gross.pdf')], { stream: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ size_bytes: data.length, checksum: sha256(data) });
    const got = await download(res.json().id);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-length']).toBe(String(data.length));
    expect(sha256(got.rawPayload)).toBe(sha256(data));
  });

  it('stores the metadata fields of the upload and validates the references', async () => {
    const customer = (await t.request('POST', '/api/customers', { body: { name: `Kunde ${randomUUID()}` } })).json();
    const res = await upload([
      { name: 'title', value: '  Arbeitsvertrag Max  ' },
      { name: 'category', value: 'Vertrag' },
      { name: 'linked_module', value: 'hr' },
      { name: 'linked_entity_type', value: 'employee' },
      { name: 'linked_entity_id', value: colleague.id },
      { name: 'customer_id', value: customer.id },
      { name: 'owner_id', value: colleague.id },
      { name: 'is_confidential', value: 'false' },
      filePart(pdf(), 'C:\\Users\\max\\Desktop\\Vertrag Müller\u0007.pdf'),
      { name: 'allow_duplicate', value: '' },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      title: 'Arbeitsvertrag Max',
      file_name: 'Vertrag Müller.pdf',
      category: 'Vertrag',
      linked_module: 'hr',
      linked_entity_type: 'employee',
      linked_entity_id: colleague.id,
      customer_id: customer.id,
      owner_id: colleague.id,
      is_confidential: false,
    });
    const got = await download(res.json().id);
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="Vertrag Muller.pdf"; filename*=UTF-8''Vertrag%20M%C3%BCller.pdf`,
    );
  });

  it('refuses an executable renamed .pdf with 415 and stores nothing', async () => {
    await leavesNothing(async () => {
      expectProblem(await upload([filePart(exe(), 'rechnung.pdf', 'application/pdf')]), 415);
      expectProblem(await upload([filePart(Buffer.from('just some text, not a document'), 'notiz.pdf')]), 415);
      // An empty file has no type at all.
      expect(expectProblem(await upload([filePart(Buffer.alloc(0), 'leer.pdf')]), 422).code).toBe('file_empty');
    });
  });

  it('refuses a 51 MB file with 413 and stores nothing (declared length and streamed)', async () => {
    const big = pdf(randomUUID(), 51 * MB);
    await leavesNothing(async () => {
      const declared = await upload([filePart(big, 'gross.pdf')]);
      expect(expectProblem(declared, 413).code).toBe('file_too_large');
      // Without Content-Length the limit is found while streaming.
      const streamed = await upload([filePart(big, 'gross.pdf')], { stream: true });
      expect(expectProblem(streamed, 413).code).toBe('file_too_large');
    });
  });

  it('answers 409 naming the first document for the same file, and 201 with allow_duplicate=true', async () => {
    const file = pdf();
    const first = await uploaded([filePart(file, 'a.pdf')]);
    await leavesNothing(async () => {
      const again = await upload([filePart(file, 'b.pdf')], { token: colleague.token });
      const problem = expectProblem(again, 409);
      expect(problem).toMatchObject({ code: 'duplicate_document', existing_id: first.id });
      expect(problem.detail).toContain(first.id);
      expectProblem(await upload([filePart(file, 'c.pdf'), { name: 'allow_duplicate', value: 'false' }]), 409);
    });
    const forced = await upload([{ name: 'allow_duplicate', value: 'true' }, filePart(file, 'd.pdf')]);
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json().checksum).toBe(first.checksum);
    expect(forced.json().storage_key).not.toBe(first.storage_key);
  });

  it('replays an upload with the same Idempotency-Key instead of storing it twice', async () => {
    const key = randomUUID();
    const file = pdf();
    const first = await upload([filePart(file)], { headers: { 'idempotency-key': key } });
    expect(first.statusCode, first.body).toBe(201);
    await leavesNothing(async () => {
      const replay = await upload([filePart(file)], { headers: { 'idempotency-key': key } });
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json().id).toBe(first.json().id);
    });
  });

  it('lets exactly one of five parallel uploads of the same new file through', async () => {
    const file = pdf();
    const results = await Promise.all(Array.from({ length: 5 }, () => upload([filePart(file)])));
    const created = results.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(1);
    for (const r of results.filter((r) => r.statusCode !== 201)) {
      expect(expectProblem(r, 409).existing_id).toBe(created[0]?.json().id);
    }
    const stored = (await backend.stored()).filter((k) => k === created[0]?.json().storage_key);
    expect(stored).toHaveLength(1);
  });

  it('hides confidential documents from colleagues (404, not in lists) but not from the owner or HR', async () => {
    const file = pdf();
    const secret = await uploaded(
      [
        filePart(file, 'krankmeldung.pdf'),
        { name: 'is_confidential', value: 'true' },
        { name: 'category', value: 'Krankmeldung' },
      ],
      writer.token,
    );
    for (const who of [writer, hr]) {
      expect((await t.request('GET', `/api/documents/${secret.id}`, { token: who.token })).statusCode).toBe(200);
      expect((await download(secret.id, who.token)).statusCode).toBe(200);
      const list = await t.request('GET', '/api/documents?category=Krankmeldung', { token: who.token });
      expect(list.json().items.map((d: { id: string }) => d.id)).toContain(secret.id);
      const mine = await t.request('GET', `/api/employees/${writer.id}/documents`, { token: who.token });
      expect(mine.json().items.map((d: { id: string }) => d.id)).toContain(secret.id);
    }
    const colleagueDeleter = await t.userWith(['documents.read', 'documents.write', 'documents.delete']);
    for (const who of [reader, colleague, colleagueDeleter]) {
      expectProblem(await t.request('GET', `/api/documents/${secret.id}`, { token: who.token }), 404);
      expectProblem(await download(secret.id, who.token), 404);
      const list = await t.request('GET', '/api/documents?category=Krankmeldung', { token: who.token });
      expect(list.json()).toMatchObject({ items: [], total: 0 });
      const theirs = await t.request('GET', `/api/employees/${writer.id}/documents?is_confidential=true`, {
        token: who.token,
      });
      expect(theirs.json().total).toBe(0);
    }
    expectProblem(
      await t.request('PATCH', `/api/documents/${secret.id}`, { token: colleague.token, body: { title: 'x' } }),
      404,
    );
    expectProblem(await t.request('DELETE', `/api/documents/${secret.id}`, { token: colleagueDeleter.token }), 404);
    // The same bytes from a colleague are no duplicate of a document they cannot see (nothing leaks).
    const same = await upload([filePart(file, 'kopie.pdf')], { token: colleague.token });
    expect(same.statusCode, same.body).toBe(201);
  });

  it('refuses bad multipart requests with 400 or 422 and stores nothing', async () => {
    await leavesNothing(async () => {
      const json = await t.request('POST', '/api/documents', { token: writer.token, body: { title: 'x' } });
      expect(expectProblem(json, 400).code).toBe('multipart_required');
      const octets = await t.request('POST', '/api/documents', {
        token: writer.token,
        body: pdf(),
        headers: { 'content-type': 'application/pdf' },
      });
      expect(expectProblem(octets, 400).code).toBe('multipart_required');
      expect(expectProblem(await upload([{ name: 'title', value: 'x' }]), 400).code).toBe('file_missing');
      expect(expectProblem(await upload([filePart(pdf()), filePart(pdf())]), 400).code).toBe('multiple_files');
      const expect422 = async (parts: FormPart[], field: string) => {
        const problem = expectProblem(await upload(parts), 422);
        expect((problem.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
      };
      await expect422([filePart(pdf()), { name: 'colour', value: 'red' }], 'colour');
      await expect422([{ name: 'checksum', value: 'abc' }, filePart(pdf())], 'checksum');
      await expect422([{ name: 'attachment', filename: 'x.pdf', data: pdf() }], 'attachment');
      await expect422([filePart(pdf()), { name: 'title', value: 'a' }, { name: 'title', value: 'b' }], 'title');
      await expect422([filePart(pdf()), { name: 'is_confidential', value: 'maybe' }], 'is_confidential');
      await expect422([filePart(pdf()), { name: 'title', value: 'x'.repeat(201) }], 'title');
      await expect422([filePart(pdf()), { name: 'customer_id', value: 'not-a-uuid' }], 'customer_id');
      await expect422([filePart(pdf()), { name: 'customer_id', value: randomUUID() }], 'customer_id');
      await expect422([filePart(pdf()), { name: 'owner_id', value: randomUUID() }], 'owner_id');
      await expect422([filePart(pdf()), { name: 'linked_entity_type', value: 'alien' }], 'linked_entity_type');
      await expect422(
        [
          filePart(pdf()),
          { name: 'linked_entity_type', value: 'employee' },
          { name: 'linked_entity_id', value: randomUUID() },
        ],
        'linked_entity_id',
      );
      await expect422([filePart(pdf()), { name: 'linked_entity_type', value: 'customer' }], 'linked_entity_id');
      await expect422([{ name: 'linked_entity_id', value: randomUUID() }, filePart(pdf())], 'linked_entity_type');
      // A body cut short before its closing boundary.
      const form = multipart([filePart(pdf())]);
      const cut = await t.app.inject({
        method: 'POST',
        url: '/api/documents',
        headers: { ...auth(writer.token), 'content-type': form.contentType },
        payload: form.body.subarray(0, form.body.length - 40),
      });
      expectProblem(cut, 400);
      const noBoundary = await t.app.inject({
        method: 'POST',
        url: '/api/documents',
        headers: { ...auth(writer.token), 'content-type': 'multipart/form-data' },
        payload: form.body,
      });
      expectProblem(noBoundary, 400);
    });
  });

  it('leaves no row and no file when the client disconnects mid-upload', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const file = Buffer.concat([pdf(), randomBytes(8 * MB)]);
    const form = multipart([{ name: 'title', value: 'abgebrochen' }, filePart(file, 'abgebrochen.pdf')]);
    const service = t.server.ctx.documents.documents;
    await leavesNothing(async () => {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.on('error', () => undefined);
      socket.write(
        `POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${writer.token}\r\n` +
          `Content-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`,
      );
      socket.write(form.body.subarray(0, 3 * MB));
      await until(() => service.uploadsInProgress === 1, 'the server streams the file');
      socket.destroy();
      await until(() => service.uploadsInProgress === 0, 'the server notices the disconnect');
    });
  });

  it('changes metadata with PUT and PATCH (not the file), with If-Match and an audit row', async () => {
    const document = await uploaded([filePart(pdf(), 'alt.pdf')]);
    const read = await t.request('GET', `/api/documents/${document.id}`, { token: reader.token });
    expect(read.statusCode).toBe(200);
    const etag = String(read.headers.etag);
    const res = await t.request('PATCH', `/api/documents/${document.id}`, {
      token: writer.token,
      body: { title: 'Neu', category: 'Rechnung', linked_module: 'finance' },
      headers: { 'if-match': etag },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      title: 'Neu',
      category: 'Rechnung',
      file_name: 'alt.pdf',
      checksum: document.checksum,
    });
    expect(res.headers.etag).not.toBe(etag);
    expectProblem(
      await t.request('PUT', `/api/documents/${document.id}`, {
        token: writer.token,
        body: { title: 'X' },
        headers: { 'if-match': etag },
      }),
      412,
    );
    const put = await t.request('PUT', `/api/documents/${document.id}`, {
      token: writer.token,
      body: { linked_entity_type: 'employee', linked_entity_id: writer.id, is_confidential: true, category: null },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      title: 'Neu',
      category: null,
      linked_entity_id: writer.id,
      is_confidential: true,
    });
    const audit = await auditRowsFor(t, 'document', document.id);
    expect(audit[0]).toMatchObject({ action: 'update' });
    expect(audit[1]).toMatchObject({ action: 'update', changes: { title: { old: 'alt.pdf', new: 'Neu' } } });
    const expect422 = async (body: Record<string, unknown>, field: string) => {
      const problem = expectProblem(
        await t.request('PATCH', `/api/documents/${document.id}`, { token: writer.token, body }),
        422,
      );
      expect((problem.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    };
    for (const field of [
      'file_name',
      'checksum',
      'size_bytes',
      'storage_key',
      'mime_type',
      'type',
      'uploaded_at',
      'id',
    ]) {
      await expect422({ [field]: 'x' }, field);
    }
    await expect422({ title: '' }, 'title');
    await expect422({ title: 5 }, 'title');
    await expect422({ is_confidential: 'true' }, 'is_confidential');
    await expect422({ customer_id: randomUUID() }, 'customer_id');
    await expect422({ owner_id: randomUUID() }, 'owner_id');
    await expect422({ linked_entity_id: randomUUID() }, 'linked_entity_id');
    await expect422({ linked_entity_type: null }, 'linked_entity_type');
    expectProblem(
      await t.request('PATCH', `/api/documents/${randomUUID()}`, { token: writer.token, body: { title: 'x' } }),
      404,
    );
    expectProblem(await t.request('PATCH', '/api/documents/nope', { token: writer.token, body: { title: 'x' } }), 422);
  });

  it('deletes the row and the file, with an audit row', async () => {
    const document = await uploaded([filePart(pdf(), 'weg.pdf')]);
    expect(await backend.stored()).toContain(document.storage_key);
    expectProblem(
      await t.request('DELETE', `/api/documents/${document.id}`, {
        token: deleter.token,
        headers: { 'if-match': '"stale"' },
      }),
      412,
    );
    const res = await t.request('DELETE', `/api/documents/${document.id}`, { token: deleter.token });
    expect(res.statusCode).toBe(204);
    expect(await backend.stored()).not.toContain(document.storage_key);
    expectProblem(await t.request('GET', `/api/documents/${document.id}`), 404);
    expectProblem(await download(document.id), 404);
    const audit = await auditRowsFor(t, 'document', document.id);
    expect(audit[0]).toMatchObject({ action: 'delete', actor_id: deleter.id, resource_name: 'weg.pdf' });
    expectProblem(await t.request('DELETE', `/api/documents/${document.id}`, { token: deleter.token }), 404);
  });

  it('answers 404 for unknown ids and 422 for malformed ones', async () => {
    const id = randomUUID();
    for (const url of [`/api/documents/${id}`, `/api/documents/${id}/download`, `/api/employees/${id}/documents`]) {
      expectProblem(await t.request('GET', url, { token: writer.token }), 404);
    }
    expectProblem(await t.request('DELETE', `/api/documents/${id}`), 404);
    for (const url of ['/api/documents/x', '/api/documents/x/download', '/api/employees/x/documents']) {
      expectProblem(await t.request('GET', url, { token: writer.token }), 422);
    }
  });

  it('lists with filters, search, sort and paging', async () => {
    const tag = randomUUID().slice(0, 8);
    const customer = (await t.request('POST', '/api/customers', { body: { name: `Kunde ${tag}` } })).json();
    const project = (await t.request('POST', '/api/projects', { body: { title: `Projekt ${tag}` } })).json();
    const a = await uploaded([filePart(pdf(), `a-${tag}.pdf`), { name: 'category', value: `Cat-${tag}` }]);
    const b = await uploaded([
      filePart(png(), `b-${tag}.png`),
      { name: 'customer_id', value: customer.id },
      { name: 'linked_module', value: 'crm' },
    ]);
    const c = await uploaded(
      [
        filePart(xlsx(), `c-${tag}.xlsx`),
        { name: 'linked_entity_type', value: 'project' },
        { name: 'linked_entity_id', value: project.id },
      ],
      colleague.token,
    );
    const ids = async (query: string, token = writer.token) => {
      const res = await t.request('GET', `/api/documents?${query}`, { token });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as Array<{ id: string }>).map((d) => d.id);
    };
    expect(await ids(`search=${tag}`)).toEqual([c.id, b.id, a.id]);
    expect(await ids(`search=${tag}&sort=file_name`)).toEqual([a.id, b.id, c.id]);
    expect(await ids(`search=${tag}&limit=1&skip=1`)).toEqual([b.id]);
    expect(await ids(`search=CAT-${tag.toUpperCase()}`)).toEqual([a.id]);
    expect(await ids(`search=${tag}&type=image`)).toEqual([b.id]);
    expect(await ids(`category=Cat-${tag}`)).toEqual([a.id]);
    expect(await ids(`search=${tag}&owner_id=${colleague.id}`)).toEqual([c.id]);
    expect(await ids(`customer_id=${customer.id}`)).toEqual([b.id]);
    expect(await ids(`search=${tag}&linked_module=crm`)).toEqual([b.id]);
    expect(await ids(`linked_entity_type=project&linked_entity_id=${project.id}`)).toEqual([c.id]);
    expect(await ids(`search=${tag}&is_confidential=false`)).toEqual([c.id, b.id, a.id]);
    expect(await ids(`search=${tag}&uploaded_at_from=${a.uploaded_at}&uploaded_at_to=${c.uploaded_at}`)).toEqual([
      b.id,
      a.id,
    ]);
    expect(await ids(`search=${tag}&uploaded_at_from=2000-01-01&uploaded_at_to=2000-01-02`)).toEqual([]);
    const page = await t.request('GET', `/api/documents?search=${tag}&limit=2`, { token: reader.token });
    expect(page.json()).toMatchObject({ total: 3, skip: 0, limit: 2 });
    for (const bad of [
      'type=exe',
      'sort=checksum',
      'limit=501',
      'owner_id=x',
      'is_confidential=perhaps',
      'colour=red',
    ]) {
      expectProblem(await t.request('GET', `/api/documents?${bad}`, { token: reader.token }), 422);
    }
    expectProblem(await t.request('GET', '/api/documents?uploaded_at_from=2024-02-30', { token: reader.token }), 422);

    // Nested lists: a customer's and a project's documents.
    const ofCustomer = await t.request('GET', `/api/customers/${customer.id}/documents`, { token: reader.token });
    expect(ofCustomer.json().items.map((d: { id: string }) => d.id)).toEqual([b.id]);
    const ofProject = await t.request('GET', `/api/projects/${project.id}/documents`, { token: reader.token });
    expect(ofProject.json().items.map((d: { id: string }) => d.id)).toEqual([c.id]);
    expectProblem(await t.request('GET', `/api/customers/${randomUUID()}/documents`, { token: reader.token }), 404);
    expectProblem(await t.request('GET', `/api/projects/${randomUUID()}/documents`, { token: reader.token }), 404);
    expectProblem(await t.request('GET', `/api/projects/${project.id}/documents`, { token: nobody.token }), 403);
  });

  it("lists an employee's documents: owned by them or linked to them", async () => {
    const employee = await t.userWith([]);
    const owned = await uploaded([filePart(pdf()), { name: 'owner_id', value: employee.id }]);
    const linked = await uploaded([
      filePart(pdf()),
      { name: 'linked_entity_type', value: 'employee' },
      { name: 'linked_entity_id', value: employee.id },
    ]);
    await uploaded([filePart(pdf())]);
    const res = await t.request('GET', `/api/employees/${employee.id}/documents`, { token: reader.token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((d: { id: string }) => d.id)).toEqual([linked.id, owned.id]);
    expect(res.json().total).toBe(2);
  });

  it('registers documents as a link target (reminders) and reports storage health', async () => {
    const document = await uploaded([filePart(pdf())]);
    const links = t.server.ctx.core.links;
    await expect(links.assertLink('document', document.id)).resolves.toBeUndefined();
    await expect(links.assertLink('document', randomUUID())).rejects.toMatchObject({ status: 422 });
    const ready = await t.request('GET', '/health/ready', { token: null });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().storage).toMatchObject({ status: 'ok', backend: backend.env.STORAGE ?? 'local' });
  });
});

describe('documents with the storage down', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workmate-documents-'));
    // An S3 endpoint nobody listens on.
    const s3 = await startTestS3();
    const env = { ...s3.env };
    await s3.close();
    t = await startTestApp({ DATA_DIR: dir, ...env });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays ready, reports the storage, and answers 503 to an upload without leaving a row', async () => {
    const ready = await t.request('GET', '/health/ready', { token: null });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', storage: { status: 'error', backend: 's3' } });
    const form = multipart([{ name: 'file', filename: 'a.pdf', data: pdf() }]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/documents',
      headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': form.contentType },
      payload: form.body,
    });
    expect(expectProblem(res, 503).code).toBe('service_unavailable');
    const list = await t.request('GET', '/api/documents');
    expect(list.json().total).toBe(0);
  });
});
