import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { hasPermission } from '../../core/auth/permissions.ts';
import type { Principal } from '../../core/auth/principal.ts';

/** One section of GET /api/dashboards/summary, contributed by the module that owns the figures. */
export interface SummarySection<T extends TSchema = TSchema> {
  /** The key in the response (`reminders`, `time`, `projects`, later `invoices`, `finance`). */
  name: string;
  /** The caller needs it for the section to appear at all. */
  permission: string;
  /** The section's response schema (serialization and OpenAPI). */
  schema: T;
  compute(principal: Principal): Promise<Static<T>>;
}

/**
 * The registry of summary sections. Modules fill it at wiring time (src/context.ts), before the
 * routes are built; the response schema is composed from what was registered, so a module added
 * later (invoices, finance) brings its section without touching the dashboards module.
 */
export class SummaryRegistry {
  private readonly sections = new Map<string, SummarySection>();
  private frozen = false;

  register<T extends TSchema>(section: SummarySection<T>): void {
    if (this.frozen) throw new Error(`summary section ${section.name} registered after the routes were built`);
    if (this.sections.has(section.name)) throw new Error(`summary section ${section.name} registered twice`);
    this.sections.set(section.name, section as unknown as SummarySection);
  }

  names(): string[] {
    return [...this.sections.keys()];
  }

  /** The response schema: every registered section optional (absent without its permission). */
  schema(): TObject {
    this.frozen = true;
    const properties: Record<string, TSchema> = {};
    for (const section of this.sections.values()) {
      properties[section.name] = Type.Optional(
        Type.Unsafe({
          ...section.schema,
          description: `${section.schema.description ?? section.name} — present only with ${section.permission}`,
        }),
      );
    }
    return Type.Object(properties, { $id: 'DashboardSummary', additionalProperties: false });
  }

  /** The sections the principal may see, computed in parallel. */
  async compute(principal: Principal): Promise<Record<string, unknown>> {
    const visible = [...this.sections.values()].filter((s) => hasPermission(principal.permissions, s.permission));
    const values = await Promise.all(visible.map((s) => s.compute(principal)));
    return Object.fromEntries(visible.map((s, i) => [s.name, values[i]]));
  }
}
