import { describe, expect, it } from 'vitest';
import { connectionUrlProblem, maskConnectionUrl, probeTarget } from './connection-url.ts';

describe('connection URLs', () => {
  it('mask user info and secret query parameters, leaving everything else byte for byte', () => {
    expect(maskConnectionUrl('postgres://app:pw@db:5432/x?sslmode=require&password=pw')).toBe(
      'postgres://db:5432/x?sslmode=require&password=***',
    );
    expect(maskConnectionUrl('https://user@api.example.com/v1?q=a+b%20c&apiKey=k&sig=s')).toBe(
      'https://api.example.com/v1?q=a+b%20c&apiKey=***&sig=***',
    );
    expect(maskConnectionUrl('redis://:pw@cache:6379/0')).toBe('redis://cache:6379/0');
    expect(maskConnectionUrl('smtp://mail.example.com')).toBe('smtp://mail.example.com');
    // Idempotent: the masked form masks to itself (clients may send it back).
    const masked = maskConnectionUrl('amqp://u:p@mq/vhost?auth_mechanism=plain&heartbeat=5');
    expect(maskConnectionUrl(masked)).toBe(masked);
  });

  it('accept URLs with a host and a known or explicit port', () => {
    expect(connectionUrlProblem('postgres://db.internal/workmate')).toBeNull();
    expect(connectionUrlProblem('https://[::1]:8443/health')).toBeNull();
    expect(connectionUrlProblem('tcp://10.0.0.5:9000')).toBeNull();
    expect(connectionUrlProblem('tcp://10.0.0.5')).toMatch(/port/);
    expect(connectionUrlProblem('http://')).not.toBeNull();
    expect(connectionUrlProblem('db.internal:5432')).not.toBeNull();
    expect(connectionUrlProblem('file:///etc/passwd')).toMatch(/host/);
  });

  it('probe HTTP(S) with a Basic header instead of URL credentials, anything else by TCP', () => {
    expect(probeTarget('http://us%40er:p%3Aw@127.0.0.1:8080/health')).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:8080/health',
      authorization: `Basic ${Buffer.from('us@er:p:w').toString('base64')}`,
    });
    expect(probeTarget('https://example.com')).toEqual({
      kind: 'http',
      url: 'https://example.com/',
      authorization: null,
    });
    expect(probeTarget('postgresql://u:p@db/x')).toEqual({ kind: 'tcp', host: 'db', port: 5432 });
    expect(probeTarget('smtps://mail.example.com')).toEqual({ kind: 'tcp', host: 'mail.example.com', port: 465 });
    expect(probeTarget('redis://[::1]:7000')).toEqual({ kind: 'tcp', host: '::1', port: 7000 });
  });
});
