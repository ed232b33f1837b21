import { maskConnectionUrl } from './connection-url.ts';
import type { InfraServiceRow } from './system.repository.ts';
import type { SERVICE_STATUSES, SERVICE_TYPES } from './system.schemas.ts';

/** The service as clients see it: the connection URL never carries its credentials. */
export function toInfraServiceResponse(s: InfraServiceRow) {
  return {
    id: s.id,
    name: s.name,
    // The service writes only these values (schema-checked input, probe verdicts).
    type: s.type as (typeof SERVICE_TYPES)[number],
    connection_url: maskConnectionUrl(s.connectionUrl),
    status: s.status as (typeof SERVICE_STATUSES)[number],
    last_sync: s.lastSync,
    last_error: s.lastError,
    managed_by: s.managedBy,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}
