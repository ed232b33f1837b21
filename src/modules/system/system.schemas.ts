import { type Static, Type } from '@sinclair/typebox';
import {
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../core/http/schemas.ts';

export const SERVICE_TYPES = ['database', 'auth', 'mail', 'chat', 'storage', 'external_api'] as const;
export const SERVICE_STATUSES = ['active', 'inactive', 'error'] as const;
/** What a client may set; `error` is the probes' verdict. */
export const SETTABLE_STATUSES = ['active', 'inactive'] as const;

const writable = {
  name: Text(100, { description: 'unique' }),
  type: StringEnum(SERVICE_TYPES),
  connection_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description:
      'scheme://[user:password@]host[:port][/path][?query]; http(s) URLs are probed with GET, others with a TCP ' +
      'connect (port from the URL or the scheme default). Credentials are stored but never returned: responses ' +
      'show the URL without user and password and with secret query parameters as ***. Sending that masked ' +
      'form back keeps the stored URL.',
  }),
  status: StringEnum(SETTABLE_STATUSES, {
    default: 'active',
    description: 'active (probed) or inactive (not probed); error is set by the probes only',
  }),
  managed_by: Nullable(Text(200, { description: 'who runs it, e.g. "IT", "Hetzner"' })),
};

const { status, managed_by, ...required } = writable;

export const InfraServiceCreate = Type.Object(
  { ...required, status: Type.Optional(status), managed_by: Type.Optional(managed_by) },
  { $id: 'InfraServiceCreate', additionalProperties: false },
);
export const InfraServiceUpdate = UpdateOf(writable, { $id: 'InfraServiceUpdate' });
export type InfraServiceCreateInput = Static<typeof InfraServiceCreate>;
export type InfraServiceUpdateInput = Static<typeof InfraServiceUpdate>;

export const InfraServiceResponse = Type.Object(
  {
    id: Uuid(),
    name: Type.String(),
    type: StringEnum(SERVICE_TYPES),
    connection_url: Type.String({ description: 'without credentials; secret query parameters as ***' }),
    status: StringEnum(SERVICE_STATUSES),
    last_sync: Nullable(Timestamp({ description: 'when it was last probed' })),
    last_error: Nullable(Type.String({ description: 'what the last failed probe saw; null after a success' })),
    managed_by: Nullable(Type.String()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'InfraService' },
);

export const InfraServiceListQuery = ListQuery({
  type: Type.Optional(StringEnum(SERVICE_TYPES)),
  status: Type.Optional(StringEnum(SERVICE_STATUSES)),
});
export const InfraServiceList = ListEnvelope(Type.Ref('InfraService'), { $id: 'InfraServiceList' });

const JobRun = Type.Object({
  run_key: Type.String(),
  outcome: StringEnum(['running', 'succeeded', 'failed']),
  instance: Type.String(),
  attempts: Type.Integer(),
  started_at: Timestamp(),
  finished_at: Nullable(Timestamp()),
  summary: Nullable(Type.String()),
  error: Nullable(Type.String()),
});

const Subsystem = Type.Object({}, { additionalProperties: true });

export const SystemStatus = Type.Object(
  {
    version: Type.String(),
    started_at: Timestamp({ description: 'when this instance started' }),
    uptime_seconds: Type.Integer(),
    node_version: Type.String(),
    database: Type.Object({
      kind: StringEnum(['pglite', 'postgres']),
      reachable: Type.Boolean(),
      migrations: Nullable(
        Type.Object({
          applied: Type.Integer(),
          expected: Type.Integer({ description: 'migrations this version ships' }),
          latest: Nullable(Type.String({ description: 'tag of the newest applied migration' })),
        }),
      ),
      error: Type.Optional(Type.String()),
    }),
    notifications: Type.Object({
      mode: StringEnum(['postgres', 'in_process']),
      connected: Type.Boolean(),
      channels: Type.Array(Type.String()),
      reconnects: Type.Integer(),
    }),
    jobs: Type.Array(
      Type.Object({
        name: Type.String(),
        schedule: Type.String(),
        last_run: Nullable(JobRun, { description: 'the latest run by any instance' }),
        next_run_at: Nullable(Timestamp()),
      }),
    ),
    services: Type.Object(
      { total: Type.Integer(), active: Type.Integer(), inactive: Type.Integer(), error: Type.Integer() },
      { description: 'infrastructure services by status' },
    ),
    subsystems: Type.Record(Type.String(), Subsystem, {
      description: 'registered health reporters (identity_provider when OIDC is configured; smtp, storage …)',
    }),
  },
  { $id: 'SystemStatus' },
);
