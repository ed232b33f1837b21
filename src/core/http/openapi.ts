import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ProblemSchema } from './schemas.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
});

/** The error responses an operation can give, from what it declares (documentation only). */
function errorResponses(permission: string, method: string, hasId: boolean, hasBody: boolean) {
  const responses: Record<string, unknown> = {};
  if (hasBody) responses[400] = problem('Malformed request (unparsable JSON)');
  if (permission !== 'public') responses[401] = problem('Missing or invalid bearer token');
  if (permission !== 'public' && permission !== 'authenticated') responses[403] = problem(`Lacks ${permission}`);
  if (hasId) responses[404] = problem('Unknown id, or a record you may not see');
  if (method !== 'GET') responses[409] = problem('Conflict: duplicate, still referenced, or locked');
  if (hasId && (method === 'PUT' || method === 'PATCH' || method === 'DELETE')) {
    responses[412] = problem('If-Match does not match the current ETag');
  }
  responses[422] = problem('Validation failed; errors[] names each field');
  responses[429] = problem('Rate limited (Retry-After)');
  responses[500] = problem('Internal error (quote request_id)');
  return responses;
}

/** OpenAPI 3.1 from the route schemas, with x-permission, bearer security and problem responses. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'WorkmateOS API',
        version,
        description:
          'Back office of a small service company. Errors are application/problem+json; lists take skip, limit (≤ 500), sort and search; writes honour If-Match and POSTs Idempotency-Key.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const permission = String(route.config?.permission ?? 'public');
      const method = String(Array.isArray(route.method) ? route.method[0] : route.method);
      const base = (schema ?? {}) as Record<string, unknown>;
      const hasId = url.includes(':');
      const transformed = {
        ...base,
        'x-permission': permission,
        ...(permission === 'public' ? { security: [] } : { security: [{ bearerAuth: [] }] }),
        response: {
          ...errorResponses(permission, method, hasId, base.body !== undefined),
          ...(base.response as object),
        },
      };
      return { schema: transformed as typeof schema, url };
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { persistAuthorization: true, displayOperationId: true },
  });
}
