import { EXIT, OpsError } from '../../../lib/ops/errors';
import { SSL_MODE_TABLE, describeSslMode, parseSslMode, tlsOptions } from '../../../lib/ops/sslmode';

describe('sslmode, as the kit maps it', () => {
  test('the table: what each mode verifies', () => {
    expect(SSL_MODE_TABLE).toEqual({
      disable: { encrypted: false, chainChecked: false, hostChecked: false },
      require: { encrypted: true, chainChecked: false, hostChecked: false },
      'verify-ca': { encrypted: true, chainChecked: true, hostChecked: false },
      'verify-full': { encrypted: true, chainChecked: true, hostChecked: true },
    });
  });

  test('disable: no TLS; require: TLS without checks', () => {
    expect(tlsOptions('disable', undefined)).toBe(false);
    expect(tlsOptions('require', undefined)).toEqual({ rejectUnauthorized: false });
  });

  test('verify-ca checks the chain and skips the host name; verify-full checks both', () => {
    const ca = tlsOptions('verify-ca', 'PEM');
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: 'PEM' });
    expect(ca && ca.checkServerIdentity?.('elsewhere', {} as never)).toBeUndefined();
    const full = tlsOptions('verify-full', 'PEM');
    expect(full).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
  });

  test.each(['require', 'disable'] as const)('refuses --ca-file with %s, where no chain is checked', (mode) => {
    expect(() => tlsOptions(mode, 'PEM')).toThrow(/ca-file: only used with --sslmode verify-ca or verify-full/);
  });

  test.each(['prefer', 'allow', 'verify_full', ''])('refuses %p with the modes it takes', (mode) => {
    let err: unknown;
    try {
      parseSslMode(mode, '--sslmode');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).exitCode).toBe(EXIT.invalidInput);
    expect((err as OpsError).message).toMatch(/expected one of disable, require, verify-ca, verify-full$/);
  });

  test('describes what a mode verified', () => {
    expect(describeSslMode('require')).toBe('encrypted, server certificate not checked');
    expect(describeSslMode('verify-full')).toBe('encrypted, certificate chain and host name checked');
  });
});
