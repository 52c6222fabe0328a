import { toAwsOpsError } from '../../../lib/ops/aws-errors';
import { describeFailure } from '../../../lib/ops/cli';
import { classifyConnectionError } from '../../../lib/ops/connection-test';
import { EXIT, OpsError } from '../../../lib/ops/errors';
import { Redactor, maskUrlPasswords } from '../../../lib/ops/redact';

const call = { service: 'Secrets Manager', iamPrefix: 'secretsmanager', operation: 'GetSecretValue', resource: 's' };
const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 3 } });

describe('toAwsOpsError', () => {
  test.each([
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      EXIT.awsConfig,
    ],
    ['no region', new Error('Region is missing'), EXIT.awsConfig],
    [
      'expired token',
      awsError('ExpiredTokenException', 'The security token included in the request is expired'),
      EXIT.awsConfig,
    ],
    ['access denied', awsError('AccessDeniedException', 'not authorized'), EXIT.awsAccessDenied],
    ['KMS decryption', awsError('DecryptionFailure', 'cannot decrypt'), EXIT.awsAccessDenied],
    ['EC2 unauthorized', awsError('UnauthorizedOperation', 'not authorized'), EXIT.awsAccessDenied],
    ['missing secret', awsError('ResourceNotFoundException', "can't find"), EXIT.awsNotFound],
    ['missing stack', awsError('ValidationError', 'Stack with id X does not exist'), EXIT.awsNotFound],
    ['missing group', awsError('InvalidGroup.NotFound', 'no group'), EXIT.awsNotFound],
    ['throttling', awsError('ThrottlingException', 'Rate exceeded'), EXIT.awsThrottled],
    ['EC2 throttling', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503), EXIT.awsThrottled],
    ['HTTP 429', awsError('Unknown', 'slow down', 429), EXIT.awsThrottled],
    ['endpoint down', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), EXIT.awsOther],
    ['other AWS error', awsError('InternalServiceError', 'boom', 500), EXIT.awsOther],
  ])('%s', (_name, err, code) => {
    const mapped = toAwsOpsError(err, call);
    expect(mapped?.exitCode).toBe(code);
    expect(mapped?.message).toMatch(/^Secrets Manager GetSecretValue on s: /);
    expect(mapped?.message).not.toContain('\n');
  });

  test('leaves errors that are not AWS errors alone', () => {
    expect(toAwsOpsError(new TypeError('x is undefined'), call)).toBeUndefined();
  });
});

describe('classifyConnectionError', () => {
  const target = { host: 'db.example', port: 5432, user: 'u', database: 'd' };
  test.each([
    ['an unknown host', { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.example' }, EXIT.unreachable],
    ['no route', { code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }, EXIT.unreachable],
    ['an expired certificate', { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, EXIT.tls],
    ['a server without TLS', { message: 'The server does not support SSL connections' }, EXIT.tls],
    ['no pg_hba entry', { severity: 'FATAL', code: '28000', message: 'no pg_hba.conf entry for host' }, EXIT.auth],
    ['too many connections', { severity: 'FATAL', code: '53300', message: 'too many clients' }, EXIT.server],
  ])('%s', (_name, err, code) => {
    expect(classifyConnectionError(err, target, 'verify-full', 1000)?.exitCode).toBe(code);
  });

  test('leaves the unforeseen alone', () => {
    expect(classifyConnectionError(new RangeError('bug'), target, 'verify-full', 1000)).toBeUndefined();
  });
});

describe('Redactor and describeFailure', () => {
  test('masks a secret in every spelling, and any URL password', () => {
    const r = new Redactor();
    const secret = 'a/b c"é';
    r.add(secret);
    const text = `${secret} ${encodeURIComponent(secret)} ${JSON.stringify(secret)} postgres://x:other@h/d`;
    expect(r.redact(text)).toBe('**** **** "****" postgres://x:****@h/d');
    expect(maskUrlPasswords('postgresql://user:p%40ss@host:5432/db')).toBe('postgresql://user:****@host:5432/db');
  });

  test('expected failures keep their code; anything else is unexpected; both masked and on one line', () => {
    const r = new Redactor();
    r.add('hunter2-secret');
    expect(describeFailure(new OpsError('bad hunter2-secret', EXIT.auth), r)).toEqual({
      exitCode: EXIT.auth,
      message: 'bad ****',
    });
    expect(describeFailure(new Error('line one\nline two hunter2-secret'), r)).toEqual({
      exitCode: EXIT.unexpected,
      message: 'unexpected error: line one; line two ****',
    });
  });
});
