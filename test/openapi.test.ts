import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiText } from '../src/core/http/openapi-document.ts';
import { startTestApp, type TestApp } from './helpers.ts';

describe('openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is committed and current (run `npm run openapi` after changing a route)', () => {
    const committed = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
    expect(openApiText(t.app)).toBe(committed);
  });

  it('gives every operation an id, a tag, a summary, x-permission and its error responses', () => {
    const doc = JSON.parse(openApiText(t.app)) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toBeTypeOf('string');
        expect(ids.has(op.operationId as string), `${where} duplicate operationId`).toBe(false);
        ids.add(op.operationId as string);
        expect((op.tags as string[]).length, where).toBeGreaterThan(0);
        expect(op.summary, where).toBeTypeOf('string');
        expect(op['x-permission'], where).toBeTypeOf('string');
        const responses = op.responses as Record<string, unknown>;
        expect(responses['422'], where).toBeDefined();
        if (op['x-permission'] !== 'public') expect(responses['401'], where).toBeDefined();
      }
    }
  });
});
