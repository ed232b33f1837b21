import { Type } from '@sinclair/typebox';
import {
  DateString,
  ListEnvelope,
  ListQuery,
  Nullable,
  StringEnum,
  Text,
  Timestamp,
  UpdateOf,
  Uuid,
} from '../../core/http/schemas.ts';
import { LINKED_ENTITY_TYPES } from '../../core/links/linked-entities.ts';

export const REMINDER_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const REMINDER_STATUSES = ['open', 'overdue', 'done'] as const;
/** What a client may set; `overdue` follows from the due date. */
export const WRITABLE_STATUSES = ['open', 'done'] as const;

const reminderWritable = {
  title: Text(200),
  description: Nullable(Type.String({ maxLength: 10000 })),
  due_date: DateString(),
  priority: StringEnum(REMINDER_PRIORITIES, { default: 'medium' }),
  linked_entity_type: Nullable(
    StringEnum(LINKED_ENTITY_TYPES, { description: 'give together with linked_entity_id; the record must exist' }),
  ),
  linked_entity_id: Nullable(Uuid()),
  owner_id: Uuid({ description: 'default: the caller; another employee needs reminders.manage' }),
  status: StringEnum(WRITABLE_STATUSES, {
    description:
      'open or done (done sets completed_at, open clears it); a reminder that is not done is stored as overdue while its due date is past',
  }),
};

const { title, due_date, ...optional } = reminderWritable;

export const ReminderCreate = Type.Object(
  { title, due_date, ...Type.Partial(Type.Object(optional)).properties },
  { $id: 'ReminderCreate', additionalProperties: false },
);

export const ReminderUpdate = UpdateOf(reminderWritable, { $id: 'ReminderUpdate' });

export const ReminderResponse = Type.Object(
  {
    id: Uuid(),
    title: Type.String(),
    description: Nullable(Type.String()),
    due_date: DateString(),
    priority: StringEnum(REMINDER_PRIORITIES),
    linked_entity_type: Nullable(Type.String()),
    linked_entity_id: Nullable(Uuid()),
    owner_id: Uuid(),
    status: StringEnum(REMINDER_STATUSES),
    notified: Type.Boolean({ description: 'the owner was mailed about it (reset when the due date changes)' }),
    completed_at: Nullable(Timestamp()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Reminder' },
);

export const ReminderListQuery = ListQuery({
  status: Type.Optional(StringEnum(REMINDER_STATUSES)),
  priority: Type.Optional(StringEnum(REMINDER_PRIORITIES)),
  due_date_from: Type.Optional(DateString({ description: 'inclusive' })),
  due_date_to: Type.Optional(DateString({ description: 'inclusive' })),
  linked_entity_type: Type.Optional(StringEnum(LINKED_ENTITY_TYPES)),
  linked_entity_id: Type.Optional(Uuid()),
  owner_id: Type.Optional(
    Uuid({ description: 'another employee’s reminders (reminders.manage); default: the caller' }),
  ),
});
export const ReminderList = ListEnvelope(Type.Ref('Reminder'), { $id: 'ReminderList' });

/** The `reminders` section of GET /api/dashboards/summary. */
export const ReminderFigures = Type.Object(
  {
    open: Type.Integer({ description: 'not done, due today or later' }),
    overdue: Type.Integer({ description: 'not done, due before today' }),
    due_this_week: Type.Integer({ description: 'not done, due Monday–Sunday of this week (company time zone)' }),
  },
  { additionalProperties: false, description: 'the caller’s reminders' },
);
