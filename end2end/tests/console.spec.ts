// The staff console: a staff member made with the CLI signs in, refunds part of a payment (confirmed),
// and finds it in the audit log; follows a Commerce Hub refund from the closed card to the new one;
// the console works by keyboard and passes axe.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { expect, Page, test } from '@playwright/test';
import { SANDBOX_API_KEY } from '../playwright.config';
import {
  APPROVED, DECLINED, DEFAULT, createCheckout, merchantPost, openDemoClosedCardRefund, openHydrated, payWith, seriousViolations,
  typeNewCard,
} from './helpers';

const EMAIL = 'ops@example.com';
const PASSWORD = 'correct horse battery staple';

test.beforeAll(() => {
  // Once per worker: a worker restarted after a failure finds the account already there.
  try {
    execFileSync('../target/release/paydesk', ['staff', 'add', '--email', EMAIL], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${path.join(process.env.PAYDESK_E2E_DATA!, 'default.db')}`,
        PAYDESK_STAFF_PASSWORD: PASSWORD,
      },
      stdio: 'pipe',
    });
  } catch (error) {
    if (!String((error as { stderr?: Buffer }).stderr ?? '').includes('already has an account')) throw error;
  }
});

/** Signs in with the form (the first test does it by keyboard). */
async function signIn(page: Page) {
  await page.goto(`${DEFAULT}/admin/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await expect(page).toHaveURL(`${DEFAULT}/admin`);
}

test('the support reference a declined customer reads is found by a console search', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 4321, orderNumber: `SUP-${Date.now()}` });
  await openHydrated(page, checkout.url);
  await payWith(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toBeVisible();
  const reference = (await page.getByTestId('support-reference').textContent())!.trim();
  expect(reference).toMatch(/^PD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/);

  await signIn(page);
  // Typed as the customer read it out.
  await page.getByTestId('search').fill(reference.toLowerCase().replace(/-/g, ' '));
  await page.getByTestId('search').press('Enter');
  await expect(page).toHaveURL(`${DEFAULT}/admin/checkouts/${checkout.id}`);
  await expect(page.getByTestId('support-reference')).toHaveText(reference);
  await expect(page.getByTestId('payment-status')).toHaveText('declined');
});

test('a staff member signs in, refunds part of a payment and sees it in the audit log', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 8000, orderNumber: `ADM-${Date.now()}` });
  await openHydrated(page, checkout.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  expect((await merchantPost(request, `${DEFAULT}/api/v1/checkouts/${checkout.id}/capture`)).status).toBe(201);

  await page.goto(`${DEFAULT}/admin`);
  await expect(page).toHaveURL(/\/admin\/login$/);
  expect(await seriousViolations(page, [])).toEqual([]);
  // By keyboard: the email field, the password field, Enter.
  await page.getByLabel('Email').focus();
  await page.keyboard.type(EMAIL);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${DEFAULT}/admin`);

  await page.getByTestId('search').fill(checkout.id);
  await page.getByTestId('search').press('Enter');
  await page.getByTestId('payment-link').filter({ hasText: checkout.id }).click();
  await expect(page.getByTestId('ledger-refundable')).toHaveText('$80.00 USD');
  expect(await seriousViolations(page, [])).toEqual([]);

  await page.getByTestId('refund-amount').fill('25.00');
  await page.getByTestId('refund-submit').click();
  // The browser refuses an unconfirmed submission (required box); confirm and send.
  await expect(page.getByTestId('ledger-refunded')).toHaveText('$0.00 USD');
  await page.getByTestId('refund-confirm').check();
  await page.getByTestId('refund-submit').click();
  await expect(page.getByTestId('notice')).toHaveText('Refund recorded.');
  await expect(page.getByTestId('ledger-refunded')).toHaveText('$25.00 USD');
  await expect(page.getByTestId('ledger-refundable')).toHaveText('$55.00 USD');

  await page.getByRole('link', { name: 'Audit log' }).click();
  const entry = page.locator('[data-testid="audit-entry"][data-action="refund"]').filter({ hasText: checkout.id });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(EMAIL);
  await expect(entry).toContainText('"amount":2500');
  expect(await seriousViolations(page, [])).toEqual([]);

  // Issue a refund link from the console: confirmed, shown with its customer URL, audited.
  await page.getByRole('link', { name: 'New refund link' }).click();
  expect(await seriousViolations(page, [])).toEqual([]);
  await page.getByTestId('new-link-amount').fill('12.25');
  await page.getByTestId('new-link-reason').fill('Goodwill gesture');
  await page.getByTestId('new-link-confirm').check();
  await page.getByTestId('new-link-submit').click();
  await expect(page.getByTestId('refund-link-status')).toHaveText('open');
  await expect(page.getByTestId('refund-link-url')).toHaveText(/\/refund\/rfl_[0-9A-Z]{26}\?sig=/);
  const linkUrl = (await page.getByTestId('refund-link-url').textContent())!;
  await page.getByRole('link', { name: 'Audit log' }).click();
  const created = page.locator('[data-testid="audit-entry"][data-action="refund_link.create"]');
  await expect(created.first()).toContainText(EMAIL);
  await expect(created.first()).toContainText('"amount":1225');
  // The link works for the customer.
  await openHydrated(page, linkUrl);
  await expect(page.getByTestId('amount')).toHaveText('$12.25 USD');
});

test('the reconciliation page finds a gateway transaction paydesk does not know', async ({ page, request }) => {
  await signIn(page);

  await page.getByRole('link', { name: 'Reconciliation' }).click();
  await expect(page.getByTestId('reconciliation')).toBeVisible();
  expect(await seriousViolations(page, [])).toEqual([]);

  // Someone takes a payment on the gateway account outside paydesk (the sandbox is on port + 10).
  const sandbox = DEFAULT.replace(/:(\d+)$/, (_, port) => `:${Number(port) + 10}`);
  const headers = { 'x-api-key': SANDBOX_API_KEY };
  const methods = await (await request.get(`${sandbox}/v1/payment-methods`, { headers })).json();
  const form = methods.items.find((m: { currency: string }) => m.currency === 'USD');
  const reference = `outside-paydesk-${Date.now()}`;
  const session = await request.post(`${sandbox}/v1/transactions/virtual-auth`, {
    headers,
    data: { amount: 1234, paymentMethodId: form.id, referenceId: reference },
  });
  expect(session.ok()).toBeTruthy();
  const paid = await request.post((await session.json()).iframeUrl, {
    form: { cardNumber: '4111111111111111', expiry: '12/39', cvv: '123', postalCode: 'K1A 0B1' },
  });
  expect(paid.ok()).toBeTruthy();

  // The finance team compares the last hour, by keyboard.
  await page.getByTestId('since').fill('1h');
  await page.getByTestId('since').press('Enter');
  await expect(page).toHaveURL(/since=1h/);
  await expect(page.getByTestId('discrepancies')).toBeVisible();
  const row = page.locator('[data-testid="discrepancy"][data-kind="unknown_to_paydesk"]').filter({ hasText: reference });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1234');
  expect(await seriousViolations(page, [])).toEqual([]);

  // A start that is not one gets a clear message.
  await page.getByTestId('since').fill('last tuesday');
  await page.getByTestId('since').press('Enter');
  await expect(page.getByTestId('problem')).toContainText('"last tuesday" is not a start');
});

test('staff follow a Commerce Hub refund from the closed card to the new one', async ({ page, context }) => {
  await openDemoClosedCardRefund(page);
  const id = new URL(page.url()).pathname.split('/').pop()!;

  const staff = await context.newPage();
  await signIn(staff);
  await staff.getByRole('link', { name: 'Commerce Hub refunds' }).click();
  await staff.getByTestId('search').fill(id);
  await staff.getByTestId('search').press('Enter');
  await staff.getByTestId('gateway-refund-link').filter({ hasText: id }).click();
  await expect(staff.getByTestId('gateway-refund-status')).toHaveText('awaiting_card');
  expect(await staff.getByTestId('gateway-refund-url').textContent()).toBe(page.url());
  await expect(staff.getByTestId('gateway-refund-calls')).toContainText('tagged');
  expect(await seriousViolations(staff, [])).toEqual([]);

  // The customer gives a new card; the console shows where the money went.
  await typeNewCard(page, '5500 0072 8729 7385');
  await expect(page.getByTestId('refund-completed')).toBeVisible();
  await staff.reload();
  await expect(staff.getByTestId('gateway-refund-status')).toHaveText('refunded');
  await expect(staff.getByTestId('gateway-refund-card')).toHaveText('MASTERCARD •••• 7385');
  await expect(staff.getByTestId('gateway-refund-calls')).toContainText('unmatched');
  await expect(staff.getByTestId('gateway-refund-url')).toHaveCount(0);
});
