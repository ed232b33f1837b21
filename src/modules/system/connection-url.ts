/** Ports used when a connection URL names none, per scheme (what the usual clients assume). */
const DEFAULT_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  rediss: 6379,
  mongodb: 27017,
  smtp: 587,
  smtps: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  ldap: 389,
  ldaps: 636,
  amqp: 5672,
  amqps: 5671,
  mqtt: 1883,
  mqtts: 8883,
  nats: 4222,
  kafka: 9092,
  memcached: 11211,
  ftp: 21,
  sftp: 22,
  ssh: 22,
};

/** Query parameters whose values are secrets (password=, api_key=, sslkey=, token=, X-Amz-Signature= …). */
const SECRET_PARAM = /pass|pwd|secret|token|key|auth|credential|signature|sig$/i;
export const MASK = '***';

export type ProbeTarget =
  | { kind: 'http'; url: string; authorization: string | null }
  | { kind: 'tcp'; host: string; port: number };

function schemeOf(url: URL): string {
  return url.protocol.replace(/:$/, '').toLowerCase();
}

/** Why a connection URL cannot be stored and probed, or null when it can. */
export function connectionUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (scheme://host[:port][/path])';
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'needs the form scheme://host[:port][/path]';
  if (!url.hostname) return 'needs a host';
  const scheme = schemeOf(url);
  if (!url.port && DEFAULT_PORTS[scheme] === undefined) return `needs a port (no default port for ${scheme}://)`;
  return null;
}

/**
 * The URL as clients see it: user and password removed, secret query parameters replaced by ***.
 * Also what audit rows store. Deterministic, so a client sending it back unchanged can be recognised.
 */
export function maskConnectionUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return MASK;
  }
  url.username = '';
  url.password = '';
  // Rewrite the raw query by hand: URLSearchParams would re-encode the parameters it does not touch.
  if (url.search) {
    url.search = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const [rawKey = '', ...rest] = pair.split('=');
        let key = rawKey;
        try {
          key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
        } catch {
          // A malformed escape: judge the raw key.
        }
        return rest.length > 0 && SECRET_PARAM.test(key) ? `${rawKey}=${MASK}` : pair;
      })
      .join('&');
  }
  return url.toString();
}

/** What to probe: an HTTP(S) GET (credentials moved into a Basic header), else a TCP connect. */
export function probeTarget(value: string): ProbeTarget {
  const url = new URL(value);
  const scheme = schemeOf(url);
  if (scheme === 'http' || scheme === 'https') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const authorization = user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : null;
    url.username = '';
    url.password = '';
    return { kind: 'http', url: url.toString(), authorization };
  }
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  if (port === undefined) throw new Error(`no port for ${scheme}://`);
  // IPv6 literals come bracketed from URL.hostname; net.connect wants them bare.
  return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}
