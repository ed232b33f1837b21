import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../core/auth/auth-hook.ts';
import { typed } from '../../core/http/app-type.ts';
import { ifMatch, setEtag } from '../../core/http/etag.ts';
import { toSettingsResponse } from './settings.mapper.ts';
import { SettingsResponse, SettingsUpdate } from './settings.schemas.ts';
import { type SettingsService, settingsEtagSubject } from './settings.service.ts';

export async function settingsRoutes(fastify: FastifyInstance, settings: SettingsService): Promise<void> {
  const app = typed(fastify);
  const tags = ['settings'];

  app.get(
    '/api/settings',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        operationId: 'getSettings',
        summary: 'The company settings',
        description: 'Any signed-in user may read them. Returns an ETag for If-Match on PUT/PATCH.',
        response: { 200: Type.Ref(SettingsResponse) },
      },
    },
    async (_request, reply) => {
      const row = await settings.get();
      setEtag(reply, settingsEtagSubject(row));
      return toSettingsResponse(row);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/settings',
      config: { permission: 'admin.settings.write' },
      schema: {
        tags,
        operationId: method === 'PUT' ? 'replaceSettings' : 'updateSettings',
        summary: `Change the company settings (${method}; partial: only given fields change)`,
        description:
          'Honours If-Match (412 when stale). Every instance sees the change at once (LISTEN/NOTIFY). ' +
          'Turning maintenance_mode on makes every request of users without "*" answer 503.',
        body: Type.Ref(SettingsUpdate),
        response: { 200: Type.Ref(SettingsResponse) },
      },
      handler: async (request, reply) => {
        const row = await settings.update(requestContext(request), request.body, ifMatch(request));
        setEtag(reply, settingsEtagSubject(row));
        return toSettingsResponse(row);
      },
    });
  }
}
