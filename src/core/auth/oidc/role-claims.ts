/**
 * The role keys in a set of claims: Zitadel's `urn:zitadel:iam:org:project:{projectId}:roles` and
 * `urn:zitadel:iam:org:project:roles` (objects keyed by role key), and a plain `roles` array.
 */
export function roleKeysFrom(claims: Record<string, unknown>, projectId: string | undefined): string[] {
  const keys = new Set<string>();
  const objectClaims = ['urn:zitadel:iam:org:project:roles'];
  if (projectId) objectClaims.push(`urn:zitadel:iam:org:project:${projectId}:roles`);
  for (const name of objectClaims) {
    const value = claims[name];
    if (value && typeof value === 'object' && !Array.isArray(value))
      for (const key of Object.keys(value)) keys.add(key);
  }
  const plain = claims.roles;
  if (Array.isArray(plain)) for (const key of plain) if (typeof key === 'string') keys.add(key);
  return [...keys].sort();
}

/** Whether the claims carry any role claim at all (an empty one counts: the IdP asserted "no roles"). */
export function hasRoleClaim(claims: Record<string, unknown>, projectId: string | undefined): boolean {
  if ('urn:zitadel:iam:org:project:roles' in claims || 'roles' in claims) return true;
  return projectId !== undefined && `urn:zitadel:iam:org:project:${projectId}:roles` in claims;
}
