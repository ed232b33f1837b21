/** Who is calling: resolved once per request by the authentication hook. */
export interface Principal {
  /** The employee id (for API keys: the service account's id). */
  id: string;
  type: 'employee' | 'api_key';
  email: string;
  employeeCode: string;
  permissions: string[];
  roleId: string | null;
  /** Every role the principal holds (SSO: all mapped roles of the token); absent = just roleId. */
  roles?: Array<{ id: string; name: string }>;
  authMethod: 'local' | 'oidc' | 'api_key';
  /** The access token's id (jti), for logs and audit. */
  tokenId: string;
}

/** What the audit writer and services need to know about the request that caused a change. */
export interface RequestContext {
  principal: Principal | null;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const SYSTEM_CONTEXT: RequestContext = { principal: null, ipAddress: null, userAgent: null, requestId: null };
