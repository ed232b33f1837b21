import { connect } from 'node:net';
import { type ProbeTarget, probeTarget } from './connection-url.ts';

export type ProbeResult = { ok: true } | { ok: false; error: string };

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;
const DEFAULT_CONCURRENCY = 4;

/** The error code of a failed connect (ECONNREFUSED, ENOTFOUND …), or its message. */
function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Probes infrastructure services: HTTP(S) GET (2xx and 3xx count as up; redirects are not
 * followed) or a TCP connect, each bounded by `timeoutMs`. Error texts name the failure and at
 * most host and port — never the URL, which may hold credentials.
 */
export class ServiceProber {
  /** Public so tests can shorten it instead of waiting five seconds. */
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  concurrency = DEFAULT_CONCURRENCY;

  probe(connectionUrl: string): Promise<ProbeResult> {
    let target: ProbeTarget;
    try {
      target = probeTarget(connectionUrl);
    } catch (error) {
      return Promise.resolve({ ok: false, error: describe(error) });
    }
    return target.kind === 'http' ? this.probeHttp(target) : this.probeTcp(target);
  }

  /** Runs `fn` over `items` with at most `concurrency` at a time; results in input order. */
  async inParallel<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index] as T);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return results;
  }

  private async probeHttp(target: Extract<ProbeTarget, { kind: 'http' }>): Promise<ProbeResult> {
    const timeout = this.timeoutMs;
    try {
      const response = await fetch(target.url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeout),
        headers: target.authorization ? { authorization: target.authorization } : {},
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 400) return { ok: true };
      return { ok: false, error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        return { ok: false, error: `no answer within ${timeout} ms` };
      return { ok: false, error: `request failed: ${describe(error)}` };
    }
  }

  private probeTcp(target: Extract<ProbeTarget, { kind: 'tcp' }>): Promise<ProbeResult> {
    const timeout = this.timeoutMs;
    const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    return new Promise((resolve) => {
      const socket = connect({ host: target.host, port: target.port });
      const timer = setTimeout(
        () => finish({ ok: false, error: `TCP connect to ${where}: no answer within ${timeout} ms` }),
        timeout,
      );
      const finish = (result: ProbeResult) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        resolve(result);
      };
      socket.once('connect', () => finish({ ok: true }));
      socket.once('error', (error) =>
        finish({ ok: false, error: `TCP connect to ${where} failed: ${describe(error)}` }),
      );
    });
  }
}
