// Browser tests in Debian's Chromium against the release build. Three paydesk instances, each with its
// own sandbox and fresh database: default, redirect-only (no JavaScript callback), and short sessions
// (and short-lived refund links, and links that lock after two declined cards).
import { defineConfig } from '@playwright/test';
import { chromium } from './chromium';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const MERCHANT_TOKEN = 'e2e_merchant_token_0123456789abcdef';
/** The sandbox's API key, to drive its `/sandbox/…` controls (closing the batch). */
export const SANDBOX_API_KEY = 'key_test_e2e_sandbox';

const dataDir = process.env.PAYDESK_E2E_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-e2e-'));
process.env.PAYDESK_E2E_DATA = dataDir;

function server(name: string, port: number, sandboxPort: number, extra: Record<string, string> = {}) {
  return {
    command: '../target/release/paydesk',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_OUTPUT_NAME: 'paydesk',
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      PAYDESK_SANDBOX_ADDR: `127.0.0.1:${sandboxPort}`,
      PAYDESK_DEMO_STOREFRONT_ADDR: `127.0.0.1:${port + 20}`,
      PAYDESK_PAYROC_SANDBOX_ADDR: `127.0.0.1:${port + 30}`,
      PAYDESK_COMMERCEHUB_SANDBOX_ADDR: `127.0.0.1:${port + 40}`,
      DATABASE_URL: `sqlite://${dataDir}/${name}.db`,
      PAYDESK_MERCHANT_TOKEN: MERCHANT_TOKEN,
      PAYDESK_SANDBOX_API_KEY: SANDBOX_API_KEY,
      PAYDESK_LOG: 'info',
      // Every test's browser comes from 127.0.0.1: the per-address limits are for real clients.
      PAYDESK_PAGE_VIEWS_PER_MINUTE: '100000',
      PAYDESK_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      PAYDESK_CARD_RETRIES_PER_HOUR: '100000',
      ...extra,
    },
  };
}

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
  },
  projects: [chromium],
  webServer: [
    // Unbound payouts: four eyes above 5,000.00, none above 9,000.00 (every other test pays out less).
    server('default', 3201, 3211, {
      PAYDESK_UNBOUND_PAYOUT_APPROVAL_ABOVE: '500000', PAYDESK_UNBOUND_PAYOUT_MAX: '900000',
    }),
    server('redirect', 3202, 3212, { PAYDESK_USE_JS_CALLBACK: 'false' }),
    server('short', 3203, 3213, {
      PAYDESK_SANDBOX_SESSION_TTL_SECS: '20', PAYDESK_REFUND_LINK_TTL_SECS: '12', PAYDESK_MAX_DECLINES_PER_LINK: '2',
    }),
  ],
});
