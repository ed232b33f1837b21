import type { ActivityRow } from './activities.repository.ts';
import type { ContactRow } from './contacts.repository.ts';
import { displayName, fullName } from './contacts.service.ts';
import type { CustomerWithRefs } from './customers.repository.ts';

/** "Hauptstr. 1, 10115 Berlin, DE": the parts that are set; null when none is. */
export function fullAddress(c: {
  street: string | null;
  zipCode: string | null;
  city: string | null;
  country: string;
}) {
  const place = [c.zipCode, c.city].filter(Boolean).join(' ');
  const parts = [c.street, place].filter(Boolean);
  return parts.length === 0 ? null : [...parts, c.country].join(', ');
}

export function toCustomerResponse(c: CustomerWithRefs) {
  const p = c.primaryContact;
  return {
    id: c.id,
    customer_number: c.customerNumber,
    name: c.name,
    type: c.type,
    email: c.email,
    phone: c.phone,
    website: c.website,
    tax_id: c.taxId,
    vat_id: c.vatId,
    street: c.street,
    zip_code: c.zipCode,
    city: c.city,
    country: c.country,
    leitweg_id: c.leitwegId,
    notes: c.notes,
    status: c.status,
    archived_at: c.archivedAt,
    created_by: c.createdBy,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    full_address: fullAddress(c),
    primary_contact: p
      ? { id: p.id, full_name: fullName(p), display_name: displayName(p), email: p.email, phone: p.phone }
      : null,
  };
}

export function toContactResponse(c: ContactRow) {
  return {
    id: c.id,
    customer_id: c.customerId,
    first_name: c.firstName,
    last_name: c.lastName,
    full_name: fullName(c),
    display_name: displayName(c),
    email: c.email,
    phone: c.phone,
    mobile: c.mobile,
    position: c.position,
    department: c.department,
    is_primary: c.isPrimary,
    notes: c.notes,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function toActivityResponse(a: ActivityRow) {
  return {
    id: a.id,
    customer_id: a.customerId,
    contact_id: a.contactId,
    type: a.type,
    subject: a.subject,
    description: a.description,
    occurred_at: a.occurredAt,
    created_by: a.createdBy,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}
