// `make screenshots`: the README's pictures, taken from a running sandbox (a fresh one, on ports of
// its own), so they show what paydesk really looks like. Not part of `make test`.
import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const SHOT_BASE = 'http://127.0.0.1:3301';
export const SHOT_STOREFRONT = 'http://127.0.0.1:3321';
export const SHOT_TOKEN = 'screenshots_merchant_token_0123456789';

const dataDir = process.env.PAYDESK_SHOTS_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-shots-'));
process.env.PAYDESK_SHOTS_DATA = dataDir;

export default defineConfig({
  testDir: './screenshots',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1100, height: 820 },
    deviceScaleFactor: 1,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars'],
        },
      },
    },
  ],
  webServer: [
    {
      command: '../target/release/paydesk',
      url: `${SHOT_BASE}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        LEPTOS_OUTPUT_NAME: 'paydesk',
        LEPTOS_SITE_ROOT: '../target/site',
        LEPTOS_SITE_PKG_DIR: 'pkg',
        LEPTOS_SITE_ADDR: '127.0.0.1:3301',
        PAYDESK_SANDBOX_ADDR: '127.0.0.1:3311',
        PAYDESK_DEMO_STOREFRONT_ADDR: '127.0.0.1:3321',
        PAYDESK_PAYROC_SANDBOX_ADDR: '127.0.0.1:3331',
        PAYDESK_COMMERCEHUB_SANDBOX_ADDR: '127.0.0.1:3341',
        DATABASE_URL: `sqlite://${dataDir}/shots.db`,
        PAYDESK_MERCHANT_TOKEN: SHOT_TOKEN,
        PAYDESK_MERCHANT_NAME: 'Northwind Coffee',
        PAYDESK_LOG: 'warn',
      },
    },
  ],
});
