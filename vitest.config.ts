import { defineConfig } from 'vitest/config';

/**
 * Tests that assert a bound on time (the web process answering /healthz within 100 ms while it checks a hostile
 * file, or through a flood of connections; no more calls in a second than the rate limit allows): run after all the
 * others, by themselves, so that the CPU other test files use on this 2-core machine does not stand in for what they
 * measure.
 */
const ALONE = [
  'test/integration/hostile-files-web.test.ts',
  'test/integration/deposit-fairness.test.ts',
  'test/integration/connection-flood.test.ts',
];

export default defineConfig({
  // Vite 8 compiles TypeScript with Oxc: keep the legacy decorators MikroORM entities use.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Each file has its own database and queue prefix, so files can run side by side; 2 cores here.
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ALONE,
          globalSetup: ['test/helpers/global-setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          globalSetup: ['test/helpers/global-setup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
