import type { FastifyInstance, RouteOptions } from 'fastify';

type HookName = 'preValidation' | 'preHandler' | 'onSend';

/**
 * Attaches a hook only to the routes that need it (decided when each route is registered), so
 * requests of other routes do not pay for a hook that would return at once. Register before the
 * routes.
 */
export function addRouteHook(
  app: FastifyInstance,
  name: HookName,
  applies: (route: RouteOptions) => boolean,
  hook: unknown,
): void {
  app.addHook('onRoute', (route) => {
    if (!applies(route)) return;
    const existing = route[name];
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    (route as unknown as Record<HookName, unknown[]>)[name] = [...list, hook];
  });
}

export const hasMethod = (route: RouteOptions, ...methods: string[]) =>
  [route.method].flat().some((m) => methods.includes(m));
