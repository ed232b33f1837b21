import type { ReminderRow } from './reminders.repository.ts';
import type { REMINDER_PRIORITIES, REMINDER_STATUSES } from './reminders.schemas.ts';

export function toReminderResponse(r: ReminderRow) {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    due_date: r.dueDate,
    priority: r.priority as (typeof REMINDER_PRIORITIES)[number],
    linked_entity_type: r.linkedEntityType,
    linked_entity_id: r.linkedEntityId,
    owner_id: r.ownerId,
    status: r.status as (typeof REMINDER_STATUSES)[number],
    notified: r.notified,
    completed_at: r.completedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
