import { Writable } from 'node:stream';

import { createPinoLogger } from '../../src/adapters/observability/pino-logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createPinoLogger('debug', stream) };
}

describe('pino logger', () => {
  it('writes JSON lines with level, time and message', () => {
    const { lines, logger } = capture();
    logger.info('hello', { memberId: 'm1' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'hello', memberId: 'm1' });
  });

  it('redacts secret fields a caller passed by mistake, at any of the first three levels', () => {
    const { lines, logger } = capture();
    logger.child({ authorization: 'Bearer admin-secret' }).warn('oops', {
      refreshToken: 'refresh-secret',
      tokens: { access_token: 'access-secret', nested: { token: 'deep-secret' } },
      headers: { 'x-goog-channel-token': 'channel-secret', cookie: 'sid=cookie-secret' },
    });
    const line = lines.join('');
    for (const secret of [
      'admin-secret',
      'refresh-secret',
      'access-secret',
      'deep-secret',
      'channel-secret',
      'cookie-secret',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });
});
