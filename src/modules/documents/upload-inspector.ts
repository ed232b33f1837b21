import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, validationError } from '../../core/http/errors.ts';
import type { DocumentType } from './documents.schemas.ts';

/** What an upload may be (SPEC 3.2), by the MIME type file-type detects from the bytes. */
const ALLOWED: Record<string, DocumentType> = {
  'application/pdf': 'pdf',
  'image/png': 'image',
  'image/jpeg': 'image',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'doc',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'sheet',
};

/**
 * Bytes looked at before deciding the type. PDF, PNG and JPEG need a few bytes; docx and xlsx are
 * zip files recognised by their first entries ([Content_Types].xml, word/…, xl/…), which office
 * programs write first, well within this.
 */
export const SAMPLE_BYTES = 64 * 1024;

export interface DetectedType {
  mime: string;
  type: DocumentType;
}

export const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file_too_large', `The file is larger than the limit of ${maxBytes} bytes`);

export const unsupportedType = (what: string) =>
  new AppError(
    415,
    'unsupported_file_type',
    `Unsupported file type (${what}); allowed: pdf, png, jpg, docx, xlsx — detected from the content, not the name`,
  );

/** The allowed type of a sample of a file's first bytes; throws 415 (or 422 for an empty file). */
export async function detectType(sample: Uint8Array): Promise<DetectedType> {
  if (sample.length === 0) throw validationError('file', 'is empty', 'file_empty');
  const detected = await fileTypeFromBuffer(sample);
  const type = detected ? ALLOWED[detected.mime] : undefined;
  if (!detected || !type) throw unsupportedType(detected ? detected.mime : 'not recognised');
  return { mime: detected.mime, type };
}

/**
 * The pass-through every upload streams through on its way to storage: counts the bytes (413 as
 * soon as the limit is passed), hashes them (SHA-256), and holds back the first SAMPLE_BYTES
 * until their type is known (415 before anything reaches storage). Nothing is buffered beyond
 * the sample.
 */
export class UploadInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private sample: Buffer[] | null = [];
  private sampleLength = 0;
  private bytes = 0;
  private decided: DetectedType | null = null;
  private resolveType!: (type: DetectedType) => void;
  private rejectType!: (error: unknown) => void;
  /** Settles once the first bytes are judged (before the rest flows on). */
  readonly detected: Promise<DetectedType>;

  constructor(private readonly maxBytes: number) {
    super();
    this.detected = new Promise<DetectedType>((resolve, reject) => {
      this.resolveType = resolve;
      this.rejectType = reject;
    });
    // A rejection nobody awaits (the stream failed first) must not crash the process.
    this.detected.catch(() => undefined);
    this.once('error', (error) => this.rejectType(error));
  }

  /** Bytes seen so far. (Not named `size`: the S3 SDK reads a body's `size` as its total length.) */
  get byteCount(): number {
    return this.bytes;
  }

  get type(): DetectedType {
    if (!this.decided) throw new Error('type not detected yet');
    return this.decided;
  }

  /** The hex SHA-256 of everything that passed (call after the stream ended). */
  checksum(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(tooLarge(this.maxBytes));
    } else if (!this.sample) {
      this.hash.update(chunk);
      callback(null, chunk);
    } else {
      this.hash.update(chunk);
      this.sample.push(chunk);
      this.sampleLength += chunk.length;
      if (this.sampleLength < SAMPLE_BYTES) callback();
      else this.decide(callback);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.sample) this.decide(callback);
    else callback();
  }

  private decide(callback: TransformCallback): void {
    const held = Buffer.concat(this.sample ?? []);
    this.sample = null;
    detectType(held.subarray(0, SAMPLE_BYTES)).then(
      (type) => {
        this.decided = type;
        this.resolveType(type);
        callback(null, held);
      },
      (error: unknown) => callback(error as Error),
    );
  }
}
