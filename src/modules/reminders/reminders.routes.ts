import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../core/auth/auth-hook.ts';
import { typed } from '../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../core/http/crud-routes.ts';
import { ifMatch, setEtag } from '../../core/http/etag.ts';
import { IdParams } from '../../core/http/schemas.ts';
import { toReminderResponse } from './reminders.mapper.ts';
import * as s from './reminders.schemas.ts';
import type { RemindersService } from './reminders.service.ts';

const READ = 'reminders.read';
const WRITE = 'reminders.write';
const SCOPE = "Other employees' reminders exist only for holders of reminders.manage (404 otherwise).";

export async function remindersRoutes(fastify: FastifyInstance, reminders: RemindersService): Promise<void> {
  const app = typed(fastify);

  registerCrudRoutes(fastify, {
    path: '/api/reminders',
    tag: 'reminders',
    names: ['Reminder', 'Reminders'],
    permissions: { read: READ, write: WRITE, delete: WRITE },
    schemas: {
      response: s.ReminderResponse,
      list: s.ReminderList,
      listQuery: s.ReminderListQuery,
      create: s.ReminderCreate,
      update: s.ReminderUpdate,
    },
    service: reminders,
    listFor: (query, ctx) => reminders.listOwned(query, ctx),
    toResponse: toReminderResponse,
    descriptions: {
      list: `The caller's reminders; owner_id=… lists another employee's (reminders.manage, 403 otherwise). Search matches title and description; due_date_from/_to are inclusive.`,
      create:
        'owner_id defaults to the caller; another owner needs reminders.manage and must be an active employee. A linked record must exist (422).',
      update: `status done sets completed_at, open clears it; a reminder that is not done is overdue while its due date is past, open otherwise; a new due date resets notified. ${SCOPE}`,
      delete: SCOPE,
    },
  });

  app.patch(
    '/api/reminders/:id/complete',
    {
      config: { permission: WRITE },
      schema: {
        tags: ['reminders'],
        operationId: 'completeReminder',
        summary: 'Mark a reminder done',
        description: `Sets status done and completed_at; a reminder already done is returned unchanged. Honours If-Match. ${SCOPE}`,
        params: IdParams,
        response: { 200: Type.Ref(s.ReminderResponse) },
      },
    },
    async (request, reply) => {
      const row = await reminders.complete(requestContext(request), request.params.id, ifMatch(request));
      setEtag(reply, row);
      return toReminderResponse(row);
    },
  );
}
