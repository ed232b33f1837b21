import { validationError } from '../http/errors.ts';

/** The record types a reminder or document may point at (SPEC 3.3). */
export const LINKED_ENTITY_TYPES = [
  'employee',
  'document',
  'customer',
  'contact',
  'project',
  'invoice',
  'expense',
  'time_entry',
] as const;
export type LinkedEntityType = (typeof LINKED_ENTITY_TYPES)[number];

/** Answers whether a record of this type exists (it must not throw for an unknown id). */
export type EntityExists = (id: string) => Promise<boolean>;

/**
 * One registry of linkable record types, filled at wiring time by the module that owns each
 * type, so reminders and documents can validate a polymorphic link without knowing the modules.
 * A type whose module is not built yet is refused with 422 like an unknown id.
 */
export class LinkedEntityRegistry {
  private readonly types = new Map<LinkedEntityType, EntityExists>();

  register(type: LinkedEntityType, exists: EntityExists): void {
    if (this.types.has(type)) throw new Error(`linked entity type ${type} registered twice`);
    this.types.set(type, exists);
  }

  registeredTypes(): LinkedEntityType[] {
    return LINKED_ENTITY_TYPES.filter((t) => this.types.has(t));
  }

  /**
   * Checks a (type, id) pair from a request body: both or neither must be given, and the record
   * must exist. Throws 422 naming the field.
   */
  async assertLink(type: string | null | undefined, id: string | null | undefined): Promise<void> {
    if (type == null && id == null) return;
    if (type == null) throw validationError('linked_entity_type', 'required when linked_entity_id is given');
    if (id == null) throw validationError('linked_entity_id', 'required when linked_entity_type is given');
    const exists = this.types.get(type as LinkedEntityType);
    if (!exists) {
      throw validationError('linked_entity_type', `records of type ${type} cannot be linked (yet)`);
    }
    if (!(await exists(id))) throw validationError('linked_entity_id', `no ${type} with this id`);
  }
}
