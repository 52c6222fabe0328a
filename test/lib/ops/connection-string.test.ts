import { parse } from 'pg-connection-string';
import { parseConnectionString } from '../../../lib/ops/connection-string';
import { connectionString } from '../../../lib/ops/connection-secret';
import { EXIT, OpsError } from '../../../lib/ops/errors';

function refusal(url: string): OpsError {
  try {
    parseConnectionString(url);
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error(`accepted ${url}`);
}

describe('parseConnectionString', () => {
  test.each([
    ['URL-special', `p@ss:w/rd?#[]%&=+ ;é€"'\\~!`],
    ['emoji and CJK', '日本😀語'],
    ['plus and percent', '+%2B%'],
  ])('reads back exactly what connectionString wrote (%s), as pg-connection-string does', (_, password) => {
    const url = connectionString(
      { host: 'db.example.com', port: 6543, database: 'spend sense' },
      { username: 'a@b:c', password },
    );
    const parsed = parseConnectionString(url);
    expect(parsed.target).toEqual({
      host: 'db.example.com',
      port: 6543,
      database: 'spend sense',
      user: 'a@b:c',
      password,
      origin: 'connection string',
    });
    const reference = parse(url);
    expect([reference.user, reference.password, reference.database]).toEqual([
      parsed.target.user,
      parsed.target.password,
      parsed.target.database,
    ]);
  });

  test.each([
    ['postgresql://u:p@db/d', 'db', 5432],
    ['postgres://u:p@db:6543/d', 'db', 6543],
    ['postgresql://u:p@10.1.2.3:5433/d', '10.1.2.3', 5433],
    ['postgresql://u:p@[::1]:5432/d', '::1', 5432],
    ['postgresql://u:p@[2001:db8::7]/d', '2001:db8::7', 5432],
    ['POSTGRESQL://u:p@db.example.com./d', 'db.example.com.', 5432],
  ])('%s: host %s, port %d', (url, host, port) => {
    expect(parseConnectionString(url).target).toMatchObject({ host, port });
  });

  test.each(['disable', 'require', 'verify-ca', 'verify-full'])('takes sslmode=%s as the kit maps it', (mode) => {
    expect(parseConnectionString(`postgresql://u:p@db/d?sslmode=${mode}`).sslmode).toBe(mode);
  });

  test('prints no library warning for any sslmode', () => {
    const warn = jest.spyOn(process, 'emitWarning');
    try {
      for (const mode of ['require', 'verify-ca', 'verify-full', 'disable']) {
        parseConnectionString(`postgresql://u:p@db/d?sslmode=${mode}`);
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test.each([
    ['not a URL', 'host=db user=x password=secret-pw', /expected a URL of the form/],
    ['no password', 'postgresql://u@db:5432/d', /no password/],
    ['no database', 'postgresql://u:secret-pw@db:5432', /no database/],
    [
      'port 0',
      'postgresql://u:secret-pw@db:0/d',
      /port "0" is not a TCP port; expected a whole number from 1 to 65535/,
    ],
    ['port 65536', 'postgresql://u:secret-pw@db:65536/d', /port "65536" is not a TCP port/],
    ['a port with letters', 'postgresql://u:secret-pw@db:54x2/d', /port "54x2" is not a TCP port/],
    ['a negative port', 'postgresql://u:secret-pw@db:-1/d', /port "-1" is not a TCP port/],
    [
      'a unix socket host',
      'postgresql://u:secret-pw@%2Fvar%2Frun%2Fpostgresql/d',
      /is a unix socket path; db:test connects over TCP/,
    ],
    ['an empty host', 'postgresql://u:secret-pw@/d', /no host \(a unix socket default\)/],
    ['a host parameter', 'postgresql://u:secret-pw@db/d?host=/tmp', /a host parameter .* not supported/],
    ['several hosts', 'postgresql://u:secret-pw@a:5432,b:5432/d', /several hosts/],
    [
      'a host with a space',
      'postgresql://u:secret-pw@db%20x/d',
      /host: got "db x", expected a host name or an IP address/,
    ],
    ['a bracketed non-IPv6 host', 'postgresql://u:secret-pw@[db]/d', /host \[db\] is not an IPv6 address/],
    [
      'bad percent-encoding in the password',
      'postgresql://u:secret%E0%A4pw@db/d',
      /the password is not valid percent-encoding/,
    ],
    [
      'a lone surrogate in the password',
      'postgresql://u:secret\uD800pw@db/d',
      /the password holds a lone UTF-16 surrogate/,
    ],
    [
      'sslmode prefer',
      'postgresql://u:secret-pw@db/d?sslmode=prefer',
      /sslmode "prefer" not supported \(it falls back to no TLS/,
    ],
    ['sslmode allow', 'postgresql://u:secret-pw@db/d?sslmode=allow', /sslmode "allow" not supported/],
    [
      'an unknown sslmode',
      'postgresql://u:secret-pw@db/d?sslmode=strict',
      /sslmode "strict" not supported; expected one of disable, require, verify-ca, verify-full/,
    ],
    ['sslmode twice', 'postgresql://u:secret-pw@db/d?sslmode=require&sslmode=disable', /sslmode given more than once/],
    [
      'other parameters',
      'postgresql://u:secret-pw@db/d?application_name=a&keepalives=1',
      /application_name, keepalives not supported/,
    ],
  ])('refuses %s: invalid input, one line, the password never quoted', (_, url, message) => {
    const err = refusal(url);
    expect(err.exitCode).toBe(EXIT.invalidInput);
    expect(err.message).toMatch(/^connection-string: /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).not.toMatch(/secret/);
  });
});
