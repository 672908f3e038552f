// The staff console: a staff member made with the CLI signs in, refunds part of a payment (confirmed),
// and finds it in the audit log; follows a Commerce Hub refund from the closed card to the new one;
// unlocks a Commerce Hub refund locked by declined new cards; the console works by keyboard and passes axe.
import { execFileSync } from 'child_process';
import { createHmac } from 'crypto';
import * as path from 'path';
import { expect, Page, test } from '@playwright/test';
import { SANDBOX_API_KEY } from '../playwright.config';
import {
  APPROVED, DECLINED, DEFAULT, cardFieldsReady, createCheckout, createRefundLink, merchantGet, merchantPost, openDemoClosedCardRefund, openHydrated, payWith,
  seriousViolations,
  typeNewCard,
} from './helpers';

const EMAIL = 'ops@example.com';
const PASSWORD = 'correct horse battery staple';
const VIEWER = 'viewer@example.com';
const OPERATOR = 'operator@example.com';

/** Adds a staff member with the CLI, once per worker (a restarted worker finds them there). */
function addStaff(email: string, role: string) {
  try {
    execFileSync('../target/release/paydesk', ['staff', 'add', '--email', email, '--role', role], {
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
}

test.beforeAll(() => {
  addStaff(EMAIL, 'admin');
  addStaff(VIEWER, 'viewer');
  addStaff(OPERATOR, 'operator');
});

/** Signs in with the form (the first test does it by keyboard). */
async function signIn(page: Page, email = EMAIL) {
  await page.goto(`${DEFAULT}/admin/login`);
  await page.getByLabel('Email').fill(email);
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

/** "$1,234.56 USD", as the console writes minor units. */
function money(minor: number, currency: string) {
  const whole = Math.trunc(minor / 100).toLocaleString('en-US');
  return `$${whole}.${String(minor % 100).padStart(2, '0')} ${currency}`;
}

test('the dashboard shows the API\'s figures in the staff member\'s time zone, with charts, and passes axe', async ({ page, request }) => {
  // Seeded: an approved payment, a declined one and a refunded one, beside what earlier tests made.
  const approved = await createCheckout(request, DEFAULT, { amount: 4200, orderNumber: `DASH-${Date.now()}` });
  await openHydrated(page, approved.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  const declined = await createCheckout(request, DEFAULT, { amount: 1100 });
  await openHydrated(page, declined.url);
  await payWith(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toBeVisible();

  await signIn(page);
  await page.getByTestId('time-zone').fill('America/Toronto');
  await page.getByTestId('time-zone-save').click();
  await expect(page.getByTestId('dashboard-time-zone')).toHaveText('America/Toronto');
  await page.reload();
  const api = await merchantGet(request, `${DEFAULT}/api/v1/dashboard?timeZone=America/Toronto`);
  await expect(page.getByTestId('dashboard-today')).toHaveText(api.today);
  const usd = api.currencies.find((c: any) => c.currency === 'USD');
  expect(usd.today.payments).toBeGreaterThanOrEqual(1);
  for (const [period, key] of [['today', 'today'], ['month', 'last30Days']] as const) {
    await expect(page.getByTestId(`${period}-payments-usd`)).toHaveText(String(usd[key].payments));
    await expect(page.getByTestId(`${period}-volume-usd`)).toHaveText(money(usd[key].volume, 'USD'));
    await expect(page.getByTestId(`${period}-refunds-usd`)).toHaveText(String(usd[key].refunds));
    await expect(page.getByTestId(`${period}-refunded-usd`)).toHaveText(money(usd[key].refunded, 'USD'));
  }
  const approvals = api.approvalsLast30Days;
  await expect(page.getByTestId('month-approved')).toHaveText(String(approvals.approved));
  await expect(page.getByTestId('month-declined')).toHaveText(String(approvals.declined));
  await expect(page.getByTestId('month-rate')).toHaveText(
    `${(approvals.approved * 100 / (approvals.approved + approvals.declined)).toFixed(1)}%`);
  const reasons = page.getByTestId('declines-by-reason').locator('tbody tr');
  await expect(reasons).toHaveCount(api.declinesByReason.length);
  // The charts: one column per day, the last one today's volume.
  const columns = page.getByTestId('volume-chart-usd').locator('rect');
  await expect(columns).toHaveCount(30);
  await expect(columns.last()).toHaveAttribute('data-value', String(usd.days[29].volume));
  await expect(page.getByTestId('declines-chart')).toBeVisible();
  expect(await seriousViolations(page, [])).toEqual([]);

  // The payments list: filtered and exported in the same zone.
  await page.getByTestId('search').fill(approved.id);
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('payment-link')).toHaveText([approved.id]);
  await expect(page.getByTestId('payments')).toContainText('EST');
  await page.goto(`${DEFAULT}/admin/payments`);
  await page.getByTestId('filter-status').selectOption('declined');
  await page.getByTestId('filter-min').fill('11');
  await page.getByTestId('filter-max').fill('11.00');
  await page.getByTestId('filter-submit').click();
  await expect(page.getByTestId('payment-link').filter({ hasText: declined.id })).toHaveCount(1);
  await expect(page.getByTestId('payment-row-status')).toHaveText(Array(await page.getByTestId('payment-row-status').count()).fill('declined'));
  expect(await seriousViolations(page, [])).toEqual([]);
  const csv = await page.request.get(await page.getByTestId('export-payments').getAttribute('href').then((h) => `${DEFAULT}${h}`));
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  expect(await csv.text()).toContain(`${declined.id},`);
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

  await page.getByRole('link', { name: 'Reconciliation', exact: true }).click();
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

test('staff see a refund of a charge not captured carried out as a cancel', async ({ page, request }) => {
  // A pre-authorization at the Commerce Hub simulator (default server: paydesk port + 40).
  const charge = await request.post('http://127.0.0.1:3241/sandbox/charges', {
    headers: { 'Api-Key': SANDBOX_API_KEY },
    data: { amount: 2500, captureFlag: false },
  });
  expect(charge.status()).toBe(201);
  const original = (await charge.json()).gatewayResponse.transactionProcessingDetails.transactionId;
  const { status, body } = await merchantPost(request, `${DEFAULT}/api/v1/refunds`, {
    gateway: 'commercehub', originalTransactionId: original, amount: 2500, currency: 'USD',
  });
  expect(status).toBe(201);
  expect(body.refundedBy).toBe('cancel');

  await signIn(page);
  await page.goto(`${DEFAULT}/admin/refunds/${body.id}`);
  await expect(page.getByTestId('gateway-refund-status')).toHaveText('refunded');
  await expect(page.getByTestId('gateway-refund-refunded-by')).toContainText('a cancel');
  await expect(page.getByTestId('gateway-refund-calls')).toContainText('cancel');
  expect(await seriousViolations(page, [])).toEqual([]);
});

test('a Commerce Hub refund locked by declined new cards: the customer is told, staff unlock it', async ({ page, context }) => {
  await openDemoClosedCardRefund(page);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  // PAYDESK_MAX_DECLINES_PER_LINK is 5: the fifth declined card locks the page.
  for (let declined = 1; declined <= 4; declined++) {
    await typeNewCard(page, '4000 0000 0000 0002');
    await expect(page.getByTestId('checkout-declined')).toBeVisible();
    await page.getByTestId('try-again').click();
    await cardFieldsReady(page);
  }
  await typeNewCard(page, '4000 0000 0000 0002');
  await expect(page.getByTestId('checkout-locked')).toBeVisible();
  await expect(page.getByTestId('card-fields')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);

  const staff = await context.newPage();
  await signIn(staff);
  await staff.goto(`${DEFAULT}/admin/refunds/${id}`);
  await expect(staff.getByTestId('locked-notice')).toBeVisible();
  expect(await seriousViolations(staff, [])).toEqual([]);
  await staff.getByTestId('unlock-submit').click();
  await expect(staff).toHaveURL(`${DEFAULT}/admin/refunds/${id}`);
  await expect(staff.getByTestId('locked-notice')).toHaveCount(0);

  // The customer may try again: a good card gets the refund.
  await page.reload();
  await page.getByTestId('try-again').click();
  await cardFieldsReady(page);
  await typeNewCard(page, '4012 0019 2870 6700');
  await expect(page.getByTestId('refund-completed')).toBeVisible();
});

test('staff cancel a refund link sent to the wrong person; its customer page then says so', async ({ page, context, request }) => {
  const link = await createRefundLink(request, DEFAULT, { amount: 870 });
  await signIn(page);
  await page.goto(`${DEFAULT}/admin/refund-links/${link.id}`);
  await expect(page.getByTestId('refund-link-status')).toHaveText('open');
  // Not without the confirmation box.
  await page.getByTestId('cancel-submit').click();
  await expect(page).toHaveURL(`${DEFAULT}/admin/refund-links/${link.id}`);
  await page.getByTestId('cancel-confirm').check();
  await page.getByTestId('cancel-submit').click();
  await expect(page.getByTestId('refund-link-status')).toHaveText('canceled');
  await expect(page.getByTestId('cancel-link')).toHaveCount(0);
  expect(await seriousViolations(page, [])).toEqual([]);

  const customer = await context.newPage();
  await openHydrated(customer, link.url);
  await expect(customer.getByTestId('checkout-ended')).toContainText('canceled');
  await expect(customer.getByTestId('hosted-form')).toHaveCount(0);
  await page.goto(`${DEFAULT}/admin/audit`);
  await expect(page.getByText('refund_link.cancel').first()).toBeVisible();
});

test('a viewer sees the console without payout actions, and is refused them by URL', async ({ page, request }) => {
  const link = await createRefundLink(request, DEFAULT, { amount: 450 });
  await signIn(page, VIEWER);
  await expect(page.getByTestId('logout')).toContainText('(viewer)');
  await expect(page.getByRole('link', { name: 'New refund link' })).toHaveCount(0);
  await page.goto(`${DEFAULT}/admin/refund-links/${link.id}`);
  await expect(page.getByTestId('refund-link-status')).toHaveText('open');
  await expect(page.getByTestId('payout-url-hidden')).toBeVisible();
  await expect(page.getByTestId('cancel-link')).toHaveCount(0);
  const refused = await page.goto(`${DEFAULT}/admin/refund-links/new`);
  expect(refused!.status()).toBe(403);
  await expect(page.getByTestId('not-permitted')).toBeVisible();
  expect(await seriousViolations(page, [])).toEqual([]);
});

test('a large unbound refund link waits for a second person, who approves it in the console', async ({ page, request }) => {
  const { status, body: approval } = await merchantPost(request, `${DEFAULT}/api/v1/refund-links`, {
    amount: 600000, currency: 'USD', reason: 'Cancelled order',
  });
  expect([status, approval.object, approval.status]).toEqual([202, 'payout_approval', 'pending']);
  await signIn(page);
  await page.getByRole('link', { name: 'Approvals' }).click();
  await expect(page.getByTestId(`approval-status-${approval.id}`)).toHaveText('pending');
  expect(await seriousViolations(page, [])).toEqual([]);
  await page.getByTestId(`approve-${approval.id}`).click();
  await expect(page.getByTestId(`approval-status-${approval.id}`)).toHaveText('approved');
  const decided = await merchantGet(request, `${DEFAULT}/api/v1/payout-approvals/${approval.id}`);
  expect(decided.resultId).toMatch(/^rfl_/);
  const link = await merchantGet(request, `${DEFAULT}/api/v1/refund-links/${decided.resultId}`);
  expect([link.amount, link.status]).toEqual([600000, 'open']);
});

/** The RFC 6238 code an authenticator app shows for a base32 `secret` now. */
function totpCode(secret: string, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secret.replace(/=+$/, '')) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('a staff member with a second factor signs in with the password and a one-time code', async ({ page }) => {
  const email = 'second-factor@example.com';
  addStaff(email, 'viewer');
  const said = execFileSync('../target/release/paydesk', ['staff', 'totp', 'enable', '--email', email], {
    env: { ...process.env, DATABASE_URL: `sqlite://${path.join(process.env.PAYDESK_E2E_DATA!, 'default.db')}` },
  }).toString();
  const secret = said.split('secret=')[1].split('&')[0];

  await page.goto(`${DEFAULT}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-problem')).toContainText('one-time code');
  expect(await seriousViolations(page, [])).toEqual([]);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('One-time code').fill(totpCode(secret));
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(`${DEFAULT}/admin`);
  await expect(page.getByTestId('logout')).toContainText('(viewer)');
});

test('an operator captures a payment but is offered no refund or payout', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 3100, orderNumber: `OPR-${Date.now()}` });
  await openHydrated(page, checkout.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();

  await signIn(page, OPERATOR);
  await expect(page.getByTestId('logout')).toContainText('(operator)');
  await expect(page.getByRole('link', { name: 'New refund link' })).toHaveCount(0);
  await page.goto(`${DEFAULT}/admin/checkouts/${checkout.id}`);
  await page.getByTestId('capture-amount').fill('31.00');
  await page.getByTestId('capture-confirm').check();
  await page.getByTestId('capture-submit').click();
  await expect(page.getByTestId('notice')).toHaveText('Capture recorded.');
  await expect(page.getByTestId('payment-status')).toHaveText('captured');
  await expect(page.getByTestId('refund-submit')).toHaveCount(0);
  expect(await seriousViolations(page, [])).toEqual([]);
});

test('a payout over the deployment\'s cap is refused in the console with the reason', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'New refund link' }).click();
  await page.getByTestId('new-link-amount').fill('9500.00');
  await page.getByTestId('new-link-reason').fill('Too much');
  await page.getByTestId('new-link-confirm').check();
  await page.getByTestId('new-link-submit').click();
  await expect(page.getByTestId('problem')).toContainText('at most $9,000.00 USD');
  expect(await seriousViolations(page, [])).toEqual([]);
});
