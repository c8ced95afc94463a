const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // Most suites wait more than they compute (the database's thread, service processes, timers), so a second
  // worker uses the core that jest's default (cores - 1) leaves idle on a 2-core machine (without the browser
  // tests: 109-136 s instead of 212 s).
  // The slow proofs run one at a time (package.json, test:reliability): they measure the machine under load.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // inversify ships ESM only; jest's CommonJS runtime needs it transformed.
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs)/)'],
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
