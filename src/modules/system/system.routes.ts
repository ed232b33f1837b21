import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { typed } from '../../core/http/app-type.ts';
import { registerCrudRoutes } from '../../core/http/crud-routes.ts';
import { setEtag } from '../../core/http/etag.ts';
import { IdParams } from '../../core/http/schemas.ts';
import type { InfraServicesService } from './infra-services.service.ts';
import type { SystemStatusService } from './status.service.ts';
import { toInfraServiceResponse } from './system.mapper.ts';
import * as s from './system.schemas.ts';

const SYSTEM = { read: 'admin.system.read', write: 'admin.system.write' };

export async function systemRoutes(
  fastify: FastifyInstance,
  services: { infra: InfraServicesService; status: SystemStatusService },
): Promise<void> {
  const app = typed(fastify);
  const tags = ['system'];

  app.get(
    '/api/system/status',
    {
      config: { permission: SYSTEM.read },
      schema: {
        tags,
        operationId: 'getSystemStatus',
        summary: 'Version, uptime, database, migrations, jobs and subsystems',
        description:
          'Jobs show their latest run by any instance; subsystems are the registered health reporters ' +
          '(identity_provider when OIDC is configured, smtp and storage when present).',
        response: { 200: Type.Ref(s.SystemStatus) },
      },
    },
    () => services.status.status(),
  );

  registerCrudRoutes(fastify, {
    path: '/api/system/services',
    tag: 'system',
    names: ['InfraService', 'InfraServices'],
    permissions: { read: SYSTEM.read, write: SYSTEM.write, delete: SYSTEM.write },
    schemas: {
      response: s.InfraServiceResponse,
      list: s.InfraServiceList,
      listQuery: s.InfraServiceListQuery,
      create: s.InfraServiceCreate,
      update: s.InfraServiceUpdate,
    },
    service: services.infra,
    toResponse: toInfraServiceResponse,
    descriptions: {
      list: 'Search matches name and managed_by. connection_url never shows credentials.',
      create: 'Probed by the system_probes job (every SYSTEM_PROBE_INTERVAL_MINUTES) while active or in error.',
      update: 'Sending the masked connection_url back keeps the stored one; a new URL clears last_sync and last_error.',
    },
  });

  app.post(
    '/api/system/services/:id/check',
    {
      config: { permission: SYSTEM.write },
      schema: {
        tags,
        operationId: 'checkInfraService',
        summary: 'Probe a service now',
        description:
          'HTTP(S) GET (2xx/3xx is up) or TCP connect, 5 s timeout. Records status (active or error), ' +
          'last_sync and last_error, and returns the service. An inactive service is probed but stays inactive.',
        params: IdParams,
        response: { 200: Type.Ref(s.InfraServiceResponse) },
      },
    },
    async (request, reply) => {
      const row = await services.infra.check(request.params.id);
      setEtag(reply, row);
      return toInfraServiceResponse(row);
    },
  );
}
