import type { DashboardRow } from './dashboards.repository.ts';

export function toDashboardResponse(d: DashboardRow) {
  return {
    id: d.id,
    owner_id: d.ownerId,
    name: d.name,
    config: d.config,
    theme: d.theme,
    is_default: d.isDefault,
    last_accessed: d.lastAccessed,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}
