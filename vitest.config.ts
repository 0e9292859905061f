import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite 8 compiles TypeScript with Oxc: keep the legacy decorators MikroORM entities use.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each file has its own database and queue prefix, so files can run side by side; 2 cores here.
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
