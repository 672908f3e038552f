// The release as a merchant installs it: scripts/test-dist.sh unpacks the tarball outside the
// repository and starts it with only a configuration file and secrets from files (PAYDESK_DIST_URL
// names it); this pays a sandbox checkout on it in Chromium.
import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';

export default defineConfig({
  testDir: './dist',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [chromium],
});
