import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, requestContext } from '../../core/auth/auth-hook.ts';
import type { ListQueryInput } from '../../core/db/list.ts';
import { typed } from '../../core/http/app-type.ts';
import { ifMatch, setEtag } from '../../core/http/etag.ts';
import { IdParams, ProblemSchema } from '../../core/http/schemas.ts';
import type { FileStorage } from '../../core/storage/storage.ts';
import { toDocumentResponse } from './documents.mapper.ts';
import type { DocumentScope } from './documents.repository.ts';
import * as s from './documents.schemas.ts';
import type { DocumentsService, DocumentUpdateInput } from './documents.service.ts';
import { contentDisposition } from './file-name.ts';
import { readUpload } from './upload-reader.ts';

const DOCS = { read: 'documents.read', write: 'documents.write', delete: 'documents.delete' };
const CONFIDENTIALITY =
  'Confidential documents are visible only to their owner and to holders of documents.confidential; for everyone else they do not exist (404, left out of lists).';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Type.Ref(ProblemSchema) } },
});

export interface DocumentsRouteDeps {
  documents: DocumentsService;
  storage: FileStorage;
  maxBytes: number;
  assertEmployeeExists(id: string): Promise<void>;
  assertCustomerExists(id: string): Promise<void>;
  assertProjectExists(id: string): Promise<void>;
}

/**
 * `/api/documents` and the nested document lists. Registered in a scope of their own: the
 * multipart parser (and the catch-all content type below) exist only here.
 */
export async function documentsRoutes(fastify: FastifyInstance, deps: DocumentsRouteDeps): Promise<void> {
  await fastify.register(multipart, { throwFileSizeLimit: true });
  // Any other request type reaches the upload handler unread, which answers 400 with a clear message.
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const app = typed(fastify);
  const { documents } = deps;
  const tags = ['documents'];
  const one = { 200: Type.Ref(s.DocumentResponse) };
  const list = { 200: Type.Ref(s.DocumentList) };

  const listPage = async (request: FastifyRequest, scope: DocumentScope = {}) => {
    const page = await documents.list(principalOf(request), request.query as ListQueryInput, scope);
    return { ...page, items: page.items.map(toDocumentResponse) };
  };

  app.get(
    '/api/documents',
    {
      config: { permission: DOCS.read },
      schema: {
        tags,
        operationId: 'listDocuments',
        summary: 'List documents',
        description: `Search matches title, file name and category. ${CONFIDENTIALITY}`,
        querystring: s.DocumentListQuery,
        response: list,
      },
    },
    (request) => listPage(request),
  );

  app.post(
    '/api/documents',
    {
      config: { permission: DOCS.write },
      schema: {
        tags,
        operationId: 'uploadDocument',
        summary: 'Upload a document (multipart/form-data)',
        description: `One part named "file" plus metadata fields (text values; "true"/"false" for flags; empty values count as not given). Streamed to storage, never held in memory. The type is detected from the bytes: pdf, png, jpg, docx, xlsx (415 otherwise). Larger than ${deps.maxBytes} bytes (UPLOAD_MAX_BYTES): 413. An identical file (same SHA-256) that you can see: 409 with existing_id, unless allow_duplicate=true. owner_id defaults to you. A failed upload stores nothing.`,
        consumes: ['multipart/form-data'],
        body: s.DocumentUploadForm,
        response: {
          201: Type.Ref(s.DocumentResponse),
          413: problem('The file is larger than UPLOAD_MAX_BYTES'),
          415: problem('The file is not a pdf, png, jpg, docx or xlsx'),
          503: problem('The file storage is not available'),
        },
      },
      // The schema documents the form; the parts are read and checked as a stream by readUpload.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const upload = await readUpload(request, {
        storage: deps.storage,
        maxBytes: deps.maxBytes,
        onStreaming: (active) => {
          documents.uploadsInProgress += active ? 1 : -1;
        },
      });
      const document = await documents.createFromUpload(requestContext(request), upload, request.log);
      setEtag(reply, document);
      reply.code(201).header('location', `/api/documents/${document.id}`);
      return toDocumentResponse(document);
    },
  );

  app.get(
    '/api/documents/:id',
    {
      config: { permission: DOCS.read },
      schema: {
        tags,
        operationId: 'getDocument',
        summary: 'Get a document’s metadata',
        params: IdParams,
        response: one,
      },
    },
    async (request, reply) => {
      const document = await documents.get(request.params.id, requestContext(request));
      setEtag(reply, document);
      return toDocumentResponse(document);
    },
  );

  app.get(
    '/api/documents/:id/download',
    {
      config: { permission: DOCS.read },
      schema: {
        tags,
        operationId: 'downloadDocument',
        summary: 'Download the file',
        description:
          'Streams the stored bytes with the detected type, Content-Length and Content-Disposition: attachment (RFC 6266 filename*).',
        params: IdParams,
        response: {
          200: {
            description: 'the file',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const { document, file } = await documents.open(request.params.id, requestContext(request));
      reply
        .type(document.mimeType)
        .header('content-length', String(file.size))
        .header('content-disposition', contentDisposition(document.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-cache');
      return reply.send(file.stream);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/documents/:id',
      config: { permission: DOCS.write },
      schema: {
        tags,
        operationId: `${method === 'PUT' ? 'replace' : 'update'}Document`,
        summary: `Update a document’s metadata (${method}; partial: only given fields change)`,
        description:
          'Metadata only: the file, its name, type, size and checksum never change. Honours If-Match (412 when stale).',
        params: IdParams,
        body: Type.Ref(s.DocumentUpdate),
        response: one,
      },
      handler: async (request, reply) => {
        const document = await documents.update(
          requestContext(request),
          request.params.id,
          request.body as DocumentUpdateInput,
          ifMatch(request),
        );
        setEtag(reply, document);
        return toDocumentResponse(document);
      },
    });
  }

  app.delete(
    '/api/documents/:id',
    {
      config: { permission: DOCS.delete },
      schema: {
        tags,
        operationId: 'deleteDocument',
        summary: 'Delete a document and its file',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Done' }) },
      },
    },
    async (request, reply) => {
      await documents.delete(requestContext(request), request.params.id, ifMatch(request), request.log);
      return reply.code(204).send(null);
    },
  );

  const nested = [
    {
      path: '/api/employees/:id/documents',
      id: 'listEmployeeDocuments',
      of: 'An employee’s documents',
      what: 'owned by the employee or linked to them (linked_entity_type=employee)',
      assert: deps.assertEmployeeExists,
      scope: (id: string): DocumentScope => ({ employeeId: id }),
    },
    {
      path: '/api/customers/:id/documents',
      id: 'listCustomerDocuments',
      of: 'A customer’s documents',
      what: 'with this customer_id or linked to the customer',
      assert: deps.assertCustomerExists,
      scope: (id: string): DocumentScope => ({ customerId: id }),
    },
    {
      path: '/api/projects/:id/documents',
      id: 'listProjectDocuments',
      of: 'A project’s documents',
      what: 'linked to the project (linked_entity_type=project)',
      assert: deps.assertProjectExists,
      scope: (id: string): DocumentScope => ({ projectId: id }),
    },
  ];
  for (const n of nested) {
    app.get(
      n.path,
      {
        config: { permission: DOCS.read },
        schema: {
          tags,
          operationId: n.id,
          summary: n.of,
          description: `Documents ${n.what}; the same filters as GET /api/documents. 404 for an unknown id. ${CONFIDENTIALITY}`,
          params: IdParams,
          querystring: s.DocumentListQuery,
          response: list,
        },
      },
      async (request) => {
        await n.assert(request.params.id);
        return listPage(request, n.scope(request.params.id));
      },
    );
  }
}
