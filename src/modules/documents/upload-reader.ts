import { finished, pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest, serviceUnavailable, validationError } from '../../core/http/errors.ts';
import { fieldErrorsFromValidation } from '../../core/http/validation.ts';
import type { FileStorage } from '../../core/storage/storage.ts';
import type { DocumentType } from './documents.schemas.ts';
import { DocumentUploadFields } from './documents.schemas.ts';
import { newStorageKey, sanitizeFileName } from './file-name.ts';
import { tooLarge, UploadInspector } from './upload-inspector.ts';

/** A file that reached storage, with what was learnt while it streamed. */
export interface StoredUpload {
  storageKey: string;
  fileName: string;
  mimeType: string;
  type: DocumentType;
  sizeBytes: number;
  checksum: string;
}

export type UploadFields = Record<string, unknown> & {
  title?: string;
  category?: string | null;
  owner_id?: string;
  linked_module?: string | null;
  linked_entity_type?: string | null;
  linked_entity_id?: string | null;
  customer_id?: string | null;
  is_confidential?: boolean;
  allow_duplicate?: boolean;
};

const FIELD_NAMES = new Set(Object.keys(DocumentUploadFields.properties));
const BOOLEAN_FIELDS = new Set(['is_confidential', 'allow_duplicate']);
const MAX_FIELD_BYTES = 4096;
/** What the metadata fields and part headers may add to the file's size in a whole request. */
const FORM_ALLOWANCE = FIELD_NAMES.size * (MAX_FIELD_BYTES + 512) + 64 * 1024;

// ajv-formats is CommonJS: its default import is the plugin function itself.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default;
const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, strict: false });
addFormats(ajv);
const validateFields = ajv.compile(DocumentUploadFields);

/**
 * Multipart text values → the typed fields: trimmed, an empty value counts as not given (what a
 * browser form sends for an empty input), "true"/"false" for the flags; then validated like a
 * JSON body (422 naming each field).
 */
export function parseUploadFields(raw: Record<string, unknown>): UploadFields {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const text = typeof value === 'string' ? value.trim() : value;
    if (text === '') continue;
    if (BOOLEAN_FIELDS.has(name) && (text === 'true' || text === 'false')) fields[name] = text === 'true';
    else fields[name] = text;
  }
  if (!validateFields(fields)) throw validationErrors(fieldErrorsFromValidation(validateFields.errors ?? [], 'body'));
  return fields as UploadFields;
}

function validationErrors(errors: Array<{ field: string; message: string }>): AppError {
  return new AppError(422, 'validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
}

/**
 * Errors of the multipart parser (@fastify/multipart, busboy) → problem responses: its limit
 * errors keep 413, anything else is a malformed body (400). Our own AppErrors pass unchanged.
 */
function asUploadError(error: unknown, maxBytes: number): unknown {
  if (error instanceof AppError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (e.statusCode === 413) return new AppError(413, 'too_many_parts', `Too many form parts (${e.message})`);
  if (e.code === 'FST_INVALID_JSON_FIELD_ERROR') return validationError(null, 'a JSON form field is not valid JSON');
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return uploadAborted();
  return badRequest(`Malformed multipart body: ${e.message ?? 'unreadable'}`, 'malformed_multipart');
}

/**
 * Once the request is refused, the rest of its body is read and dropped without parsing, so the
 * client gets the answer instead of a stalled connection.
 */
function discardRest(request: FastifyRequest): void {
  const raw = request.raw;
  raw.unpipe();
  if (!raw.readableEnded && !raw.destroyed) raw.resume();
}

export interface UploadReaderOptions {
  storage: FileStorage;
  maxBytes: number;
  /** Called while a file is being streamed to storage (for the in-progress count). */
  onStreaming?(active: boolean): void;
}

/**
 * Reads a multipart upload as it arrives: metadata fields (in any order), exactly one part named
 * `file`, streamed through the UploadInspector straight into storage. Returns the raw field
 * values and the stored file; on any failure the stored file is removed again before the error
 * is thrown, so nothing is left behind.
 */
export async function readUpload(
  request: FastifyRequest,
  options: UploadReaderOptions,
): Promise<{ fields: Record<string, unknown>; file: StoredUpload }> {
  if (!request.isMultipart()) {
    throw badRequest('Send the document as multipart/form-data with a part named "file"', 'multipart_required');
  }
  // A declared length over the limit (plus room for the form fields) is refused before reading.
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > options.maxBytes + FORM_ALLOWANCE) throw tooLarge(options.maxBytes);

  const fields: Record<string, unknown> = {};
  let stored: StoredUpload | null = null;
  try {
    const parts = request.parts({
      limits: {
        fileSize: options.maxBytes + 1, // the inspector answers 413 at maxBytes + 1
        files: 2, // a second file part is refused by name below
        fields: FIELD_NAMES.size + 1,
        fieldSize: MAX_FIELD_BYTES,
        parts: FIELD_NAMES.size + 3,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        const name = part.fieldname;
        if (!FIELD_NAMES.has(name)) throw validationError(name, 'is unknown or read-only');
        if (name in fields) throw validationError(name, 'is given twice');
        if (part.valueTruncated) throw validationError(name, 'is too long');
        fields[name] = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        throw validationError(part.fieldname, 'is unknown; send the file in the part named "file"');
      }
      if (stored) throw badRequest('Send exactly one part named "file"', 'multiple_files');
      stored = await storeFile(request, part, options);
    }
    // The parser also stops quietly when the connection drops after the file part; only a
    // request that ended is a complete upload. (Bytes after the closing boundary are dropped.)
    request.raw.resume();
    await finished(request.raw);
  } catch (error) {
    discardRest(request);
    if (stored) await removeStored(request, options.storage, stored.storageKey);
    throw asUploadError(error, options.maxBytes);
  }
  if (!stored) throw badRequest('The part named "file" is missing', 'file_missing');
  return { fields, file: stored };
}

/** Streams one file part through the inspector into storage under a new key. */
async function storeFile(
  request: FastifyRequest,
  part: MultipartFile,
  options: UploadReaderOptions,
): Promise<StoredUpload> {
  // The parser may have given up on this part before we got it (the body ended mid-part); a
  // pipeline from a destroyed stream would wait forever.
  if (part.file.destroyed && !part.file.readableEnded) {
    throw badRequest('Malformed multipart body: the file part ends early', 'malformed_multipart');
  }
  const inspector = new UploadInspector(options.maxBytes);
  const storageKey = newStorageKey();
  // A client that disconnects mid-file ends the part stream with an error, whatever the parser does.
  const onClose = () => {
    if (!request.raw.readableEnded) part.file.destroy(uploadAborted());
  };
  request.raw.once('close', onClose);
  options.onStreaming?.(true);
  try {
    const flowing = pipeline(part.file, inspector);
    const storing = inspector.detected
      .then((detected) => options.storage.put(storageKey, inspector, { contentType: detected.mime }))
      .catch((error: unknown) => {
        // When the stream failed (limit, type, client gone), that is the cause, not storage.
        if (inspector.errored) throw inspector.errored;
        inspector.destroy();
        throw new StorageFailure(error);
      });
    const [flow, store] = await Promise.allSettled([flowing, storing]);
    if (store.status === 'rejected' && store.reason instanceof StorageFailure) {
      const error = serviceUnavailable('The file storage is not available; try again later');
      throw Object.assign(error, { cause: store.reason.cause });
    }
    if (flow.status === 'rejected') {
      if (store.status === 'fulfilled') await removeStored(request, options.storage, storageKey);
      throw flow.reason;
    }
    if (store.status === 'rejected') throw store.reason;
  } finally {
    request.raw.off('close', onClose);
    options.onStreaming?.(false);
  }
  return {
    storageKey,
    fileName: sanitizeFileName(part.filename, inspector.type.mime),
    mimeType: inspector.type.mime,
    type: inspector.type.type,
    sizeBytes: inspector.byteCount,
    checksum: inspector.checksum(),
  };
}

/** Removes the file of a refused upload; a failure is logged (the file is then an orphan), not thrown. */
async function removeStored(request: FastifyRequest, storage: FileStorage, key: string): Promise<void> {
  await storage.delete(key).catch((error: unknown) => {
    request.log.error({ err: error, storage_key: key }, 'could not remove the file of a failed upload');
  });
}

const uploadAborted = () => badRequest('The upload was cut off before the file ended', 'upload_aborted');

class StorageFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('storage failed');
  }
}
