// `make bench`'s browser half: how the customer pages load in Chromium on a slow network (Lighthouse's
// "slow 4G" with a 4x CPU slowdown). The bench (benches/performance) runs paydesk, then this with
// PAYDESK_PAGE_LOAD_PAGES (the pages to open) and PAYDESK_PAGE_LOAD_OUT (where to write the figures).
// Not part of `make test`: timings belong to the bench.
import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';

export default defineConfig({
  testDir: './page-load',
  timeout: 180_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [chromium],
});
