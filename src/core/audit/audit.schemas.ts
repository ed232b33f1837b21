import { Type } from '@sinclair/typebox';
import { ListEnvelope, ListQuery, Nullable, StringEnum, Timestamp, Uuid } from '../http/schemas.ts';
import { AUDIT_ACTIONS } from './audit.writer.ts';

const TimestampFilter = (description: string) =>
  Type.String({
    description: `${description}; ISO timestamp, or a date meaning midnight in the company time zone`,
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  });

export const AuditLogResponse = Type.Object(
  {
    id: Uuid(),
    occurred_at: Timestamp(),
    actor_id: Nullable(Uuid()),
    actor_email: Nullable(Type.String()),
    actor_type: StringEnum(['employee', 'api_key', 'system']),
    action: StringEnum(AUDIT_ACTIONS),
    resource_type: Type.String(),
    resource_id: Nullable(Type.String()),
    resource_name: Nullable(Type.String()),
    changes: Nullable(Type.Object({}, { additionalProperties: true, description: '{"field": {"old": …, "new": …}}' })),
    ip_address: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    request_id: Nullable(Type.String()),
  },
  { $id: 'AuditLog' },
);

export const AuditLogListQuery = ListQuery({
  actor_id: Type.Optional(Uuid()),
  action: Type.Optional(StringEnum(AUDIT_ACTIONS)),
  resource_type: Type.Optional(Type.String({ pattern: '^[a-z_]+$' })),
  resource_id: Type.Optional(Type.String({ maxLength: 100 })),
  occurred_at_from: Type.Optional(TimestampFilter('inclusive lower bound')),
  occurred_at_to: Type.Optional(TimestampFilter('exclusive upper bound')),
});

export const AuditLogList = ListEnvelope(Type.Ref('AuditLog'), { $id: 'AuditLogList' });
