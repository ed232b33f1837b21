import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { InfraServicesService } from './infra-services.service.ts';
import { ServiceProber } from './probe.ts';
import { SystemStatusService } from './status.service.ts';
import { InfraServicesRepository } from './system.repository.ts';
import { systemRoutes } from './system.routes.ts';
import * as schemas from './system.schemas.ts';

export const SYSTEM_PROBES_JOB = 'system_probes';

export interface SystemModule {
  services: InfraServicesService;
  status: SystemStatusService;
  /** The probe settings (tests shorten timeoutMs). */
  prober: ServiceProber;
  routes(app: FastifyInstance): Promise<void>;
}

/** Infrastructure services, their probes, and the system status page (SPEC 3.5). */
export function createSystemModule(deps: CoreDeps): SystemModule {
  const prober = new ServiceProber();
  const services = new InfraServicesService(deps.db, deps.audit, new InfraServicesRepository(deps.db), prober);
  const status = new SystemStatusService(deps, services);
  deps.jobs.register({
    name: SYSTEM_PROBES_JOB,
    schedule: { everyMinutes: deps.config.SYSTEM_PROBE_INTERVAL_MINUTES },
    runAtStart: true,
    // A probe takes at most the timeout; the lease only has to outlast one run.
    leaseMinutes: 10,
    run: () => services.probeAll(),
  });
  return {
    services,
    status,
    prober,
    async routes(app) {
      for (const schema of [
        schemas.InfraServiceResponse,
        schemas.InfraServiceList,
        schemas.InfraServiceCreate,
        schemas.InfraServiceUpdate,
        schemas.SystemStatus,
      ]) {
        app.addSchema(schema);
      }
      await systemRoutes(app, { infra: services, status });
    },
  };
}
