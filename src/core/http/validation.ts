import { Ajv, type ErrorObject } from 'ajv';
import formatsPlugin from 'ajv-formats';
import type { FastifyInstance, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { FieldError } from './errors.ts';
import { addRouteHook } from './route-hooks.ts';

// ajv-formats is CommonJS: its default import is the plugin function itself.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerceTypes ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  // TypeBox adds these annotations; they are documentation only.
  ajv.addKeyword({ keyword: 'x-readOnly' });
  return ajv;
}

/**
 * SPEC 1: bodies are validated exactly (no coercion, unknown fields rejected by each schema's
 * additionalProperties: false); query strings and path parameters arrive as text and may coerce.
 * Installed as Fastify's validator factory so shared schemas (addSchema, $ref) resolve in every
 * scope — a plain setValidatorCompiler would be replaced by the default in scopes that add schemas.
 */
export function createValidatorFactory() {
  // One pair per app: Fastify asks for a compiler in every scope that adds schemas, and a fresh
  // Ajv per scope would compile every shared schema (and the meta-schema) again.
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  const added = new Set<string>();
  return (externalSchemas: Record<string, unknown>): FastifySchemaCompiler<unknown> => {
    for (const schema of Object.values(externalSchemas)) {
      const id = (schema as { $id?: string }).$id;
      if (id && added.has(id)) continue;
      if (id) added.add(id);
      strict.addSchema(schema as object);
      coercing.addSchema(schema as object);
    }
    return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
  };
}

export function registerValidation(app: FastifyInstance): void {
  // Strings are trimmed before validation, so "  " fails minLength and names are stored clean.
  addRouteHook(
    app,
    'preValidation',
    (route) => route.schema?.body !== undefined,
    async (request: FastifyRequest) => {
      if (request.body && typeof request.body === 'object') trimStrings(request.body as Record<string, unknown>);
    },
  );
}

/** Secrets are taken byte for byte: a password may begin or end with a space. */
const UNTRIMMED_FIELDS = /password|secret|token/;

function trimStrings(value: Record<string, unknown> | unknown[]): void {
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof item === 'string') {
      if (typeof key === 'string' && UNTRIMMED_FIELDS.test(key)) continue;
      (value as Record<string | number, unknown>)[key] = item.trim();
    } else if (item && typeof item === 'object') trimStrings(item as Record<string, unknown>);
  }
}

function pathToField(instancePath: string): string {
  return instancePath.replace(/^\//, '').replace(/\//g, '.');
}

/** Ajv errors → `[{field, message}]` with the field in snake_case dotted form. */
export function fieldErrorsFromValidation(errors: Array<Partial<ErrorObject>>, context?: string): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    // anyOf/oneOf add a summary error after the specific ones; the specific ones say more.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const base = pathToField(error.instancePath ?? '');
    const params = (error.params ?? {}) as Record<string, unknown>;
    let field = base;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      field = base ? `${base}.${params.missingProperty}` : String(params.missingProperty);
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      field = base ? `${base}.${params.additionalProperty}` : String(params.additionalProperty);
      message = 'is unknown or read-only';
    } else if (error.keyword === 'type' && params.type === 'null') {
      continue;
    }
    if (!field) field = context === 'body' ? 'body' : (context ?? 'request');
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ field, message });
  }
  return result.length > 0 ? result : [{ field: context ?? 'request', message: 'is invalid' }];
}

export type { FastifySchema };
