import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../core/auth/auth-hook.ts';
import type { ListQueryInput } from '../../../core/db/list.ts';
import { typed } from '../../../core/http/app-type.ts';
import { ifMatch, setEtag } from '../../../core/http/etag.ts';
import { IdParams } from '../../../core/http/schemas.ts';
import type { ProjectsService } from '../projects/index.ts';
import { csvLine } from './csv.ts';
import { toTimeEntryResponse } from './time-tracking.mapper.ts';
import type { SummaryGroup } from './time-tracking.repository.ts';
import * as s from './time-tracking.schemas.ts';
import type { TimeTrackingService } from './time-tracking.service.ts';

const OWN = 'backoffice.time_tracking.write';
const APPROVE = 'backoffice.time_tracking.approve';
const SCOPE =
  'Without backoffice.time_tracking.view only the caller’s own entries exist for the caller (others are 404).';
const CSV_HEADER = [
  'Datum',
  'Start',
  'Ende',
  'Minuten',
  'Stunden',
  'Mitarbeiter-Nr.',
  'Mitarbeiter',
  'Projekt-Nr.',
  'Projekt',
  'Kunden-Nr.',
  'Kunde',
  'Tätigkeit',
  'Notiz',
  'Abrechenbar',
  'Stundensatz',
  'Betrag',
  'Freigegeben',
  'Abgerechnet',
  'ID',
];

/** Characters per written piece of the CSV export (well under V8's 128 KB large-object threshold). */
const PIECE_CHARS = 16 * 1024;

export async function timeTrackingRoutes(
  fastify: FastifyInstance,
  services: {
    time: TimeTrackingService;
    projects: ProjectsService;
    assertEmployeeExists(id: string): Promise<void>;
  },
): Promise<void> {
  const app = typed(fastify);
  const { time } = services;
  const tags = ['time-tracking'];
  const one = { 200: Type.Ref(s.TimeEntryResponse) };
  const list = { 200: Type.Ref(s.TimeEntryList) };

  // Fixed paths first so they never parse as an id.
  app.get(
    '/api/time-entries/current',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'getCurrentTimer',
        summary: 'The caller’s running timer, or null',
        response: { 200: s.CurrentTimer },
      },
    },
    async (request) => {
      const entry = await time.current(request.principal);
      return entry ? toTimeEntryResponse(entry) : null;
    },
  );

  app.post(
    '/api/time-entries/start',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'startTimer',
        summary: 'Start a timer',
        description: 'At most one running timer per employee (database-enforced): a second start is 409.',
        body: Type.Ref(s.TimerStart),
        response: { 201: Type.Ref(s.TimeEntryResponse) },
      },
    },
    async (request, reply) => {
      const entry = await time.start(requestContext(request), request.body as s.TimerStartBody);
      setEtag(reply, entry);
      reply.code(201).header('location', `/api/time-entries/${entry.id}`);
      return toTimeEntryResponse(entry);
    },
  );

  app.post(
    '/api/time-entries/approve',
    {
      config: { permission: APPROVE },
      schema: {
        tags,
        operationId: 'approveTimeEntries',
        summary: 'Approve time entries',
        description: 'Approved entries can be changed only by approvers. Unknown ids are 422, running timers 409.',
        body: Type.Ref(s.ApproveBody),
        response: { 200: Type.Ref(s.ApproveResult) },
      },
    },
    async (request) => {
      const rows = await time.approve(requestContext(request), (request.body as { ids: string[] }).ids);
      return { items: rows.map(toTimeEntryResponse) };
    },
  );

  app.get(
    '/api/time-entries/summary',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'summarizeTimeEntries',
        summary: 'Minutes and amounts grouped',
        description: `Finished entries; days, weeks (key: the Monday) and months (key: YYYY-MM) in the company time zone. ${SCOPE}`,
        querystring: s.SummaryQuery,
        response: { 200: Type.Ref(s.Summary) },
      },
    },
    (request) => time.summary(request.principal, request.query as Record<string, unknown> & { group_by: SummaryGroup }),
  );

  app.get(
    '/api/time-entries/export',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'exportTimeEntries',
        summary: 'CSV export',
        description: `Streamed CSV (UTF-8 with BOM, ";" separated, times in the company zone), decimal=comma for German spreadsheets. ${SCOPE}`,
        querystring: s.ExportQuery,
        response: { 200: Type.String({ description: 'text/csv' }) },
      },
    },
    async (request, reply) => {
      const { decimal: notation = 'point', ...filters } = request.query as Record<string, unknown> & {
        decimal?: 'point' | 'comma';
      };
      const batches = await time.exportRows(request.principal, filters, notation);
      async function* pieces() {
        yield `\uFEFF${csvLine(CSV_HEADER)}`;
        let piece = '';
        for await (const batch of batches) {
          for (const row of batch) {
            piece += row.line;
            // Small pieces: a string over 128 KB goes to V8's large-object space, freed only by a
            // full garbage collection — 1,000-row pieces (~200 KB) made memory grow with the export.
            if (piece.length >= PIECE_CHARS) {
              yield piece;
              piece = '';
            }
          }
        }
        if (piece) yield piece;
      }
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="time-entries.csv"');
      // A stream bypasses the response serializer; the schema only documents the body.
      return reply.send(Readable.from(pieces()) as unknown as string);
    },
  );

  app.get(
    '/api/time-entries',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'listTimeEntries',
        summary: 'List time entries',
        description: `Search matches the note. ${SCOPE}`,
        querystring: s.TimeEntryListQuery,
        response: list,
      },
    },
    async (request) => {
      const page = await time.list(request.principal, request.query as ListQueryInput);
      return { ...page, items: page.items.map(toTimeEntryResponse) };
    },
  );

  app.post(
    '/api/time-entries',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'createTimeEntry',
        summary: 'Create a time entry (manual)',
        description:
          'start_time and end_time or duration_minutes; at most 24 h; no overlap with the employee’s other entries (409). employee_id other than the caller needs .manage.',
        body: Type.Ref(s.TimeEntryCreate),
        response: { 201: Type.Ref(s.TimeEntryResponse) },
      },
    },
    async (request, reply) => {
      const entry = await time.create(requestContext(request), request.body as s.TimeEntryCreateBody);
      setEtag(reply, entry);
      reply.code(201).header('location', `/api/time-entries/${entry.id}`);
      return toTimeEntryResponse(entry);
    },
  );

  app.get(
    '/api/time-entries/:id',
    {
      config: { permission: OWN },
      schema: { tags, operationId: 'getTimeEntry', summary: 'Get a time entry', params: IdParams, response: one },
    },
    async (request, reply) => {
      const entry = await time.get(request.params.id, requestContext(request));
      setEtag(reply, entry);
      return toTimeEntryResponse(entry);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/time-entries/:id',
      config: { permission: OWN },
      schema: {
        tags,
        operationId: `${method === 'PUT' ? 'replace' : 'update'}TimeEntry`,
        summary: `Update a time entry (${method}; partial: only given fields change)`,
        description:
          "Honours If-Match. Others' entries need .manage (403); approved entries need .approve (409); invoiced entries never change (409).",
        params: IdParams,
        body: Type.Ref(s.TimeEntryUpdate),
        response: one,
      },
      handler: async (request, reply) => {
        const entry = await time.update(
          requestContext(request),
          request.params.id,
          request.body as s.TimeEntryUpdateBody,
          ifMatch(request),
        );
        setEtag(reply, entry);
        return toTimeEntryResponse(entry);
      },
    });
  }

  app.delete(
    '/api/time-entries/:id',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'deleteTimeEntry',
        summary: 'Delete a time entry',
        description: 'The same rules as changing it.',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Done' }) },
      },
    },
    async (request, reply) => {
      await time.delete(requestContext(request), request.params.id, ifMatch(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/time-entries/:id/stop',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'stopTimer',
        summary: 'Stop a running timer',
        description: 'Ends it now, or at start + 24 h when it ran longer; 409 when it is not running.',
        params: IdParams,
        response: one,
      },
    },
    async (request, reply) => {
      const entry = await time.stop(requestContext(request), request.params.id, ifMatch(request));
      setEtag(reply, entry);
      return toTimeEntryResponse(entry);
    },
  );

  app.get(
    '/api/projects/:id/time-entries',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'listProjectTimeEntries',
        summary: "A project's time entries",
        description: SCOPE,
        params: IdParams,
        querystring: s.NestedTimeEntryListQuery,
        response: list,
      },
    },
    async (request) => {
      await services.projects.assertExists(request.params.id);
      const page = await time.list(request.principal, request.query as ListQueryInput, {
        projectId: request.params.id,
      });
      return { ...page, items: page.items.map(toTimeEntryResponse) };
    },
  );

  app.get(
    '/api/employees/:id/time-entries',
    {
      config: { permission: OWN },
      schema: {
        tags,
        operationId: 'listEmployeeTimeEntries',
        summary: "An employee's time entries",
        description: SCOPE,
        params: IdParams,
        querystring: s.NestedTimeEntryListQuery,
        response: list,
      },
    },
    async (request) => {
      await services.assertEmployeeExists(request.params.id);
      const page = await time.list(request.principal, request.query as ListQueryInput, {
        employeeId: request.params.id,
      });
      return { ...page, items: page.items.map(toTimeEntryResponse) };
    },
  );
}
