import { testConfig } from '../support/app';
import { RecordingLogger } from '../support/logger';
import { wireGoogle } from '../../src/google-wiring';

describe('wireGoogle', () => {
  const real = { GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret' };

  it('warns that real Google will not push to an http PUBLIC_URL', () => {
    const logger = new RecordingLogger();
    wireGoogle(testConfig({ ...real, PUBLIC_URL: 'http://calendar.example.com' }), logger);
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/PUBLIC_URL is not https/) }),
    ]);
  });

  it('says nothing of an https PUBLIC_URL, or of a stand-in at GOOGLE_BASE_URL', () => {
    const logger = new RecordingLogger();
    wireGoogle(testConfig({ ...real, PUBLIC_URL: 'https://calendar.example.com' }), logger);
    wireGoogle(
      testConfig({ ...real, PUBLIC_URL: 'http://127.0.0.1:3000', GOOGLE_BASE_URL: 'http://127.0.0.1:4000' }),
      logger,
    );
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toEqual([]);
  });
});
