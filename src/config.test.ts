import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('loadConfig', () => {
  it('fills the documented defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.PORT).toBe(8000);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.NODE_ENV).toBe('development');
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(3000);
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.corsOrigins).toEqual([]);
  });

  it('reads integers, booleans and strings', () => {
    const config = loadConfig({
      PORT: '9001',
      HOST: ' 127.0.0.1 ',
      TRUST_PROXY: 'true',
      LOG_PRETTY: '1',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
    expect(config.PORT).toBe(9001);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.LOG_PRETTY).toBe(true);
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(config.DATABASE_URL).toBe('postgres://u@h:5432/db');
  });

  it('rejects PORT=abc with a ConfigError naming PORT', () => {
    const error = errorOf(() => loadConfig({ PORT: 'abc' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/PORT/);
    expect(error.message).not.toMatch(/HOST/);
  });

  it('rejects out-of-range and malformed values, naming each one', () => {
    const error = errorOf(() =>
      loadConfig({
        PORT: '70000',
        LOG_LEVEL: 'loud',
        TRUST_PROXY: 'yes',
        DATABASE_URL: 'mysql://x',
        ADMIN_PASSWORD: 'short',
      }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    for (const key of ['PORT', 'LOG_LEVEL', 'TRUST_PROXY', 'DATABASE_URL', 'ADMIN_PASSWORD']) {
      expect(error.message).toContain(key);
    }
  });

  it('rejects a fractional integer', () => {
    expect(() => loadConfig({ PORT: '80.5' })).toThrow(ConfigError);
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '  ', METRICS_TOKEN: '', ADMIN_PASSWORD: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(8000);
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
  });

  it('splits CORS_ORIGINS on commas, trimming and dropping empties', () => {
    const config = loadConfig({ CORS_ORIGINS: ' https://a.example.com , https://b.example.com,, ' });
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('ignores variables it does not know', () => {
    const config = loadConfig({ SOMETHING_ELSE: 'x', PORT: '1234' });
    expect(config.PORT).toBe(1234);
    expect(config).not.toHaveProperty('SOMETHING_ELSE');
  });

  it('reads the OIDC settings: off by default, Employee as default role, empty default role kept', () => {
    const off = loadConfig({});
    expect(off.OIDC_ISSUER).toBeUndefined();
    expect(off.OIDC_DEFAULT_ROLE).toBe('Employee');
    expect(off.OIDC_SCOPES).toBe('openid profile email offline_access');
    const on = loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'web', OIDC_DEFAULT_ROLE: '' });
    expect(on.OIDC_ISSUER).toBe('https://idp.example');
    expect(on.OIDC_DEFAULT_ROLE).toBe('');
  });

  it('rejects OIDC_ISSUER without a client id, and a secret together with a key file', () => {
    expect(errorOf(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).message).toMatch(/OIDC_CLIENT_ID/);
    const both = errorOf(() =>
      loadConfig({
        OIDC_ISSUER: 'https://idp.example',
        OIDC_CLIENT_ID: 'web',
        OIDC_CLIENT_SECRET: 's',
        OIDC_KEY_FILE: '/k.json',
      }),
    );
    expect(both).toBeInstanceOf(ConfigError);
    expect(both.message).toMatch(/OIDC_KEY_FILE/);
    expect(errorOf(() => loadConfig({ OIDC_ISSUER: 'idp.example' })).message).toMatch(/OIDC_ISSUER/);
  });
});
