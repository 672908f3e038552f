// Takes the README's screenshots (docs/screenshots/) from the sandbox `screenshots.config.ts` starts:
// seeded through the merchant API and the sandbox's hosted form, as a merchant's data would be.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { SHOT_BASE, SHOT_STOREFRONT, SHOT_TOKEN } from '../screenshots.config';
import { openHydrated, payWith } from '../tests/helpers';

const OUT = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const auth = { Authorization: `Bearer ${SHOT_TOKEN}` };
const EMAIL = 'ops@northwind.example';
const PASSWORD = 'screenshots are generated, not drawn';

async function checkout(request: APIRequestContext, body: Record<string, unknown>) {
  const response = await request.post(`${SHOT_BASE}/api/v1/checkouts`, { headers: auth, data: body });
  expect(response.ok()).toBeTruthy();
  return response.json();
}

async function pay(page: Page, url: string, card: string) {
  await openHydrated(page, url);
  await payWith(page, card);
  await expect(page.getByTestId('checkout-state')).toHaveAttribute('data-state', /paid|declined/);
}

test('the README screenshots', async ({ page, request }) => {
  // A few days' worth of a small shop: approved, declined, refunded.
  for (const [amount, card] of [[2450, '4111111111111111'], [1890, '4111111111111111'], [5200, '5555555555554444'],
    [990, '4000000000000002'], [3400, '4111111111111111'], [760, '4000000000000002']] as const) {
    const made = await checkout(request, { amount, currency: 'USD', orderNumber: `NW-${amount}` });
    await pay(page, made.url, card);
  }

  // Two refunds paid out through refund links.
  for (const amount of [1225, 640]) {
    const link = await request.post(`${SHOT_BASE}/api/v1/refund-links`, {
      headers: auth, data: { amount, currency: 'USD', reason: 'Returned: 1 × Kenya AA, 250 g' },
    });
    expect(link.ok()).toBeTruthy();
    await pay(page, (await link.json()).url, '4111111111111111');
  }

  // The customer's page, light and dark.
  const made = await checkout(request, {
    amount: 4275, currency: 'USD', orderNumber: 'NW-1042', description: '2 × Ethiopia Guji, 250 g',
    returnUrl: `${SHOT_STOREFRONT}/thanks`, cancelUrl: `${SHOT_STOREFRONT}/cart`,
  });
  await openHydrated(page, `${made.url}?theme=light`);
  await page.screenshot({ path: path.join(OUT, 'payment-light.png'), fullPage: true });
  await openHydrated(page, `${made.url}?theme=dark`);
  await page.screenshot({ path: path.join(OUT, 'payment-dark.png'), fullPage: true });

  // Embedded in the example storefront.
  await page.goto(SHOT_STOREFRONT);
  await expect(page.getByTestId('storefront-events').locator('[data-event="resize"]').first()).toBeAttached();
  await page.screenshot({ path: path.join(OUT, 'storefront.png'), fullPage: true });

  // The console's dashboard.
  execFileSync('../target/release/paydesk', ['staff', 'add', '--email', EMAIL, '--role', 'admin'], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${path.join(process.env.PAYDESK_SHOTS_DATA!, 'shots.db')}`,
      PAYDESK_STAFF_PASSWORD: PASSWORD,
    },
    stdio: 'pipe',
  });
  await page.goto(`${SHOT_BASE}/admin/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByTestId('dashboard-today')).toBeVisible();
  await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true });
});
