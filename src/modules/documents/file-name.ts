import { v7 as uuidv7 } from 'uuid';

const MAX_FILE_NAME = 255;

/** C0/C1 control characters, and the bidirectional marks that make "…\u202Efdp.exe" read as "…exe.pdf". */
function isUnsafe(character: string): boolean {
  const c = character.codePointAt(0) ?? 0;
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x200e ||
    c === 0x200f
  );
}

/** The extension the detected MIME type is usually saved with (for names that sanitize to nothing). */
const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/**
 * The client's file name as stored: the last path segment (either slash), control and
 * bidi-override characters removed, whitespace collapsed, Unicode NFC, at most 255 characters
 * (keeping the extension). A name that is empty afterwards becomes `upload.<ext>`.
 */
export function sanitizeFileName(raw: string | undefined, mime: string): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  let name = [...base.normalize('NFC')]
    .filter((c) => !isUnsafe(c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  if (name === '.' || name === '..') name = '';
  if (name.length === 0) return `upload.${EXTENSIONS[mime] ?? 'bin'}`;
  if (name.length > MAX_FILE_NAME) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = `${name.slice(0, MAX_FILE_NAME - extension.length).trimEnd()}${extension}`;
  }
  return name;
}

/** RFC 5987 percent-encoding (encodeURIComponent leaves ' ( ) * unencoded; they are not attr-chars). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266): old
 * clients read the plain ASCII name, current ones the exact UTF-8 name.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // "Müller" → "Muller" rather than "M_ller"
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

/** A fresh storage key: `documents/<yyyy>/<mm>/<uuid v7>` (UTC), never derived from input. */
export function newStorageKey(now = new Date()): string {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `documents/${now.getUTCFullYear()}/${month}/${uuidv7()}`;
}
