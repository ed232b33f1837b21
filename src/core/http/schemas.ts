import { type SchemaOptions, type Static, type TSchema, Type } from '@sinclair/typebox';

/** A JSON-schema `type: [T, "null"]` (faster to serialize than anyOf, same meaning). */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  const { type, ...rest } = schema as unknown as { type: string; enum?: unknown[] };
  // An enum lists its values, so null must be one of them too.
  if (rest.enum) rest.enum = [...rest.enum, null];
  return Type.Unsafe<Static<T> | null>({ ...rest, ...options, type: [type, 'null'] });
}

export const Uuid = (options: SchemaOptions = {}) => Type.String({ format: 'uuid', ...options });
export const DateString = (options: SchemaOptions = {}) =>
  Type.String({ format: 'date', description: 'YYYY-MM-DD', ...options });
export const Timestamp = (options: SchemaOptions = {}) =>
  Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', ...options });
export const Email = (options: SchemaOptions = {}) =>
  Type.String({ format: 'email', maxLength: 254, description: 'lower-cased on input', ...options });
export const Text = (max = 200, options: SchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength: max, ...options });
export const StringEnum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const IdParams = Type.Object({ id: Uuid() }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable snake_case error code' }),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    request_id: Type.String(),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);

export const ListQueryBase = {
  skip: Type.Integer({ minimum: 0, default: 0, description: 'records to skip' }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size (max 500)' }),
  sort: Type.Optional(
    Type.String({
      pattern: '^-?[a-z_]+(,-?[a-z_]+)*$',
      description: 'comma list of fields, "-" prefix for descending, e.g. -created_at,name',
    }),
  ),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'case-insensitive text search' })),
};

/** A list endpoint's query: skip/limit/sort/search plus the resource's own filters. */
export function ListQuery<P extends Record<string, TSchema>>(filters: P) {
  return Type.Object({ ...ListQueryBase, ...filters }, { additionalProperties: false });
}

export function ListEnvelope<T extends TSchema>(item: T, options: SchemaOptions = {}) {
  return Type.Object(
    { items: Type.Array(item), total: Type.Integer(), skip: Type.Integer(), limit: Type.Integer() },
    options,
  );
}

export const BooleanQuery = (description: string) => Type.Boolean({ description });

/**
 * The update (PUT/PATCH) body for a create schema's fields: everything optional and no defaults,
 * so a partial update never resets a field the client did not send.
 */
export function UpdateOf<P extends Record<string, TSchema>>(properties: P, options: SchemaOptions) {
  const stripped: Record<string, TSchema> = {};
  for (const [key, schema] of Object.entries(properties)) {
    const { default: _ignored, ...rest } = schema as TSchema & { default?: unknown };
    stripped[key] = rest as TSchema;
  }
  return Type.Partial(Type.Object(stripped as P), { additionalProperties: false, ...options });
}
