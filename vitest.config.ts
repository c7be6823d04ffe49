import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-pages.ts'],
    testTimeout: 30000,
    hookTimeout: 60000,
    // Integration tests start real peers (socat, mosquitto, chromium): two workers on two cores.
    maxWorkers: 2,
    pool: 'forks',
  },
});
