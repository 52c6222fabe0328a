import type { ConnectionOptions } from 'node:tls';
import { EXIT, OpsError } from './errors';

/**
 * What each `sslmode` the kit accepts verifies. The kit maps the modes itself rather than through pg or
 * pg-connection-string, whose meaning of `require` and `verify-ca` is changing between major versions; the values and
 * their meaning follow libpq (https://www.postgresql.org/docs/current/libpq-ssl.html, "SSL Mode Descriptions").
 */
export const SSL_MODE_TABLE = {
  disable: { encrypted: false, chainChecked: false, hostChecked: false },
  require: { encrypted: true, chainChecked: false, hostChecked: false },
  'verify-ca': { encrypted: true, chainChecked: true, hostChecked: false },
  'verify-full': { encrypted: true, chainChecked: true, hostChecked: true },
} as const;

export type SslMode = keyof typeof SSL_MODE_TABLE;
export const SSL_MODES = Object.keys(SSL_MODE_TABLE) as SslMode[];
export const DEFAULT_SSL_MODE: SslMode = 'verify-full';

/** libpq modes the kit refuses, and why. */
const REFUSED_MODES: Readonly<Record<string, string>> = {
  allow: 'it tries without TLS first',
  prefer: 'it falls back to no TLS when the server offers none',
};

/** `sslmode` from a connection string or an option: one of {@link SSL_MODES}, else invalid input naming the fix. */
export function parseSslMode(value: string, what: string): SslMode {
  if ((SSL_MODES as string[]).includes(value)) return value as SslMode;
  const why = REFUSED_MODES[value];
  throw new OpsError(
    `${what}: sslmode ${JSON.stringify(value.slice(0, 40))} not supported${why ? ` (${why}, so a test could pass without encryption)` : ''}; expected one of ${SSL_MODES.join(', ')}`,
    EXIT.invalidInput,
  );
}

/** Node TLS options for a mode; `false` for no TLS. A CA bundle is only taken where the chain is checked. */
export function tlsOptions(sslmode: SslMode, ca: string | undefined): false | ConnectionOptions {
  const mode = SSL_MODE_TABLE[sslmode];
  if (ca !== undefined && !mode.chainChecked) {
    throw new OpsError(
      `ca-file: only used with --sslmode verify-ca or verify-full (got --sslmode ${sslmode}); drop --ca-file or use verify-full`,
      EXIT.invalidInput,
    );
  }
  if (!mode.encrypted) return false;
  if (!mode.chainChecked) return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    ...(ca === undefined ? {} : { ca }),
    // verify-ca: the chain is checked, the host name is not.
    ...(mode.hostChecked ? {} : { checkServerIdentity: () => undefined }),
  };
}

/** `encrypted, chain and host name checked`: what a mode verified, for the report. */
export function describeSslMode(sslmode: SslMode): string {
  const mode = SSL_MODE_TABLE[sslmode];
  if (!mode.encrypted) return 'not encrypted';
  if (!mode.chainChecked) return 'encrypted, server certificate not checked';
  return mode.hostChecked
    ? 'encrypted, certificate chain and host name checked'
    : 'encrypted, certificate chain checked, host name not';
}
