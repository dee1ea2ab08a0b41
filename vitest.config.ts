import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: the e2e files mostly wait on child processes and fake-cloud transitions.
    maxWorkers: 2,
    // CI also keeps a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/test-results.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Unit files share their worker's modules: most import the AWS SDK, which costs about a
          // second per file to load again (the unit tests ran 4x faster so). Their SDK mocks stay
          // installed for the worker's life, so the fake endpoint's tests, which drive real SDK
          // clients, run isolated below.
          exclude: ['test/unit/fake-aws/**'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/{contract,e2e,integration}/**/*.test.ts', 'test/unit/fake-aws/**/*.test.ts'],
        },
      },
    ],
  },
});
