import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { DocumentsRepository } from './documents.repository.ts';
import { documentsRoutes } from './documents.routes.ts';
import * as schemas from './documents.schemas.ts';
import { DocumentsService } from './documents.service.ts';

export type { DocumentsService } from './documents.service.ts';

export interface DocumentsModule {
  documents: DocumentsService;
  routes(app: FastifyInstance): Promise<void>;
}

/** What documents need from other modules (through their index, never their tables). */
export interface DocumentsModuleOptions {
  customerExists(id: string): Promise<boolean>;
  employeeExists(id: string): Promise<boolean>;
  /** 404 problems for the nested lists. */
  assertEmployeeExists(id: string): Promise<void>;
  assertCustomerExists(id: string): Promise<void>;
  assertProjectExists(id: string): Promise<void>;
}

/** Documents: uploaded files with metadata (SPEC 3.2). */
export function createDocumentsModule(deps: CoreDeps, options: DocumentsModuleOptions): DocumentsModule {
  const repository = new DocumentsRepository(deps.db);
  deps.links.register('document', (id) => repository.exists(id));
  const documents = new DocumentsService({
    db: deps.db,
    audit: deps.audit,
    documents: repository,
    storage: deps.storage,
    links: deps.links,
    companyTimezone: deps.companyTimezone,
    customerExists: options.customerExists,
    employeeExists: options.employeeExists,
  });
  return {
    documents,
    async routes(app) {
      // A scope of its own: the multipart parser is registered only for these routes.
      await app.register(async (scope) => {
        for (const schema of [schemas.DocumentResponse, schemas.DocumentList, schemas.DocumentUpdate]) {
          scope.addSchema(schema);
        }
        await documentsRoutes(scope, {
          documents,
          storage: deps.storage,
          maxBytes: deps.config.UPLOAD_MAX_BYTES,
          assertEmployeeExists: options.assertEmployeeExists,
          assertCustomerExists: options.assertCustomerExists,
          assertProjectExists: options.assertProjectExists,
        });
      });
    },
  };
}
