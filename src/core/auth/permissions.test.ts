import { describe, expect, it } from 'vitest';
import {
  coversAll,
  coversPrivileged,
  grants,
  hasPermission,
  isValidPermission,
  PERMISSION_CATALOG,
} from './permissions.ts';

describe('grants', () => {
  it('lets "*" match every key', () => {
    for (const { key } of PERMISSION_CATALOG) expect(grants('*', key), key).toBe(true);
    expect(grants('*', 'anything.at.all')).toBe(true);
  });

  it('lets "a.b.*" match keys strictly below a.b only', () => {
    expect(grants('backoffice.*', 'backoffice.crm.read')).toBe(true);
    expect(grants('backoffice.*', 'backoffice.crm')).toBe(true);
    expect(grants('backoffice.*', 'backoffice')).toBe(false);
    expect(grants('backoffice.*', 'backofficex.crm.read')).toBe(false);
    expect(grants('backoffice.crm.*', 'backoffice.crm.read')).toBe(true);
    expect(grants('backoffice.crm.*', 'backoffice.crm')).toBe(false);
    expect(grants('backoffice.crm.*', 'backoffice.crmx.read')).toBe(false);
    expect(grants('backoffice.crm.*', 'backoffice.projects.read')).toBe(false);
  });

  it('lets a plain key match itself and every key below it, nothing else', () => {
    expect(grants('backoffice.crm', 'backoffice.crm')).toBe(true);
    expect(grants('backoffice.crm', 'backoffice.crm.read')).toBe(true);
    expect(grants('backoffice.crm', 'backoffice.crmx.read')).toBe(false);
    expect(grants('backoffice.crm', 'backoffice.crmx')).toBe(false);
    expect(grants('backoffice.crm', 'backoffice')).toBe(false);
    expect(grants('backoffice.crm.read', 'backoffice.crm.write')).toBe(false);
    expect(grants('backoffice.crm.read', 'backoffice.crm')).toBe(false);
    expect(grants('employees.read', 'employees.read')).toBe(true);
  });
});

describe('hasPermission', () => {
  it('is true when any granted key covers the required one', () => {
    expect(hasPermission(['employees.read', 'backoffice.*'], 'backoffice.invoices.finalize')).toBe(true);
    expect(hasPermission(['employees.read', 'backoffice.crm'], 'backoffice.crm.delete')).toBe(true);
    expect(hasPermission(['*'], 'admin.roles.write')).toBe(true);
  });

  it('is false when none does', () => {
    expect(hasPermission([], 'employees.read')).toBe(false);
    expect(hasPermission(['employees.read'], 'employees.write')).toBe(false);
    expect(hasPermission(['backoffice.*'], 'employees.read')).toBe(false);
    expect(hasPermission(['admin.roles.read'], 'admin.roles.write')).toBe(false);
  });
});

describe('isValidPermission', () => {
  it('accepts "*", catalog keys, and patterns or prefixes covering a catalog key', () => {
    for (const key of ['*', 'backoffice.*', 'backoffice.crm.*', 'backoffice.crm', 'admin', 'admin.*', 'documents']) {
      expect(isValidPermission(key), key).toBe(true);
    }
    for (const { key } of PERMISSION_CATALOG) expect(isValidPermission(key), key).toBe(true);
  });

  it('rejects unknown keys, patterns covering nothing, and malformed keys', () => {
    for (const key of [
      'foo',
      'foo.*',
      'backoffice.nothing.*',
      'backoffice.nothing',
      'backoffice.crm.read.extra',
      'BACKOFFICE.*',
      'Employees.read',
      '',
      '.*',
      '*.read',
      'backoffice.*.read',
      'backoffice.',
      'backoffice..crm',
      ' employees.read',
      '**',
    ]) {
      expect(isValidPermission(key), JSON.stringify(key)).toBe(false);
    }
  });
});

describe('coversAll', () => {
  it('lets "*" hand out anything, including "*"', () => {
    expect(coversAll(['*'], ['*'])).toBe(true);
    expect(coversAll(['*'], ['backoffice.*', 'admin.roles.write'])).toBe(true);
  });

  it('lets a pattern hand out what it covers', () => {
    expect(coversAll(['backoffice.*'], ['backoffice.crm.read'])).toBe(true);
    expect(coversAll(['backoffice.*'], ['backoffice.crm', 'backoffice.invoices.*'])).toBe(true);
    expect(coversAll(['backoffice.crm'], ['backoffice.crm.*'])).toBe(true);
    expect(coversAll(['employees.read'], [])).toBe(true);
  });

  it('refuses "*" to anyone without "*"', () => {
    expect(coversAll(['backoffice.*'], ['*'])).toBe(false);
    expect(coversAll(['backoffice.*', 'employees.*', 'admin.*', 'documents.*'], ['*'])).toBe(false);
  });

  it('refuses a pattern unless every catalog key it covers is held', () => {
    expect(coversAll(['backoffice.crm.read'], ['backoffice.crm'])).toBe(false);
    expect(coversAll(['backoffice.crm.read', 'backoffice.crm.write'], ['backoffice.crm.*'])).toBe(false);
    expect(coversAll(['backoffice.*'], ['employees.read'])).toBe(false);
    expect(coversAll(['backoffice.*'], ['backoffice.crm.read', 'employees.read'])).toBe(false);
    expect(coversAll([], ['employees.read'])).toBe(false);
  });
});

describe('coversPrivileged', () => {
  it('requires * for * and the holder of each privileged write key, nothing else', () => {
    expect(coversPrivileged(['employees.*'], ['employees.read', 'backoffice.*', 'admin.audit.read'])).toBe(true);
    expect(coversPrivileged(['employees.*'], ['*'])).toBe(false);
    expect(coversPrivileged(['employees.*'], ['admin.roles.write'])).toBe(false);
    expect(coversPrivileged(['employees.*'], ['admin.*'])).toBe(false);
    expect(coversPrivileged(['admin.roles'], ['admin.roles.write'])).toBe(true);
    expect(coversPrivileged(['*'], ['*'])).toBe(true);
  });
});
