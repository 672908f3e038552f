// Refund links: a payout through the hosted form, single use, tampering and expiry, and the refund to a
// different card when the original card is closed.
import { expect, test } from '@playwright/test';
import {
  APPROVED, CLOSED_ACCOUNT, DEFAULT, MASTERCARD, REDIRECT_ONLY, SHORT_SESSIONS, closeSandboxBatch, createCheckout,
  createRefundLink, hostedForm, merchantGet, merchantPost, openHydrated, payWith, seriousViolations,
} from './helpers';

test('a refund link is paid out to a test card and shown as completed', async ({ page, request }) => {
  const link = await createRefundLink(request, DEFAULT, { amount: 1500, currency: 'CAD', orderNumber: 'R-1001' });
  expect(link.url).toMatch(/\/refund\/rfl_[0-9A-Z]{26}\?sig=[\w-]{22}$/);
  await openHydrated(page, link.url);
  await expect(page.getByTestId('summary-kind')).toHaveText('Refund to your card');
  await expect(page.getByTestId('amount')).toHaveText('$15.00 CAD');
  await expect(page.getByTestId('order-number')).toHaveText('R-1001');
  await expect(page.getByText('Returned: 1 × paydesk mug')).toBeVisible();
  await expect(hostedForm(page).getByTestId('hpf-submit')).toHaveText('Receive refund of $15.00 CAD');

  await payWith(page, MASTERCARD);
  await expect(page.getByTestId('refund-completed')).toBeVisible();
  await expect(page.getByTestId('receipt-card')).toHaveText('MASTERCARD •••• 4444');
  expect((await merchantGet(request, `${DEFAULT}/api/v1/refund-links/${link.id}`)).status).toBe('completed');
});

test('a second attempt on a used link is refused: reload, second tab, direct server call', async ({ page, context, request }) => {
  const link = await createRefundLink(request, DEFAULT, { amount: 990 });
  // Two tabs open before the payout share one session: there is never a second form to use.
  await openHydrated(page, link.url);
  const second = await context.newPage();
  await openHydrated(second, link.url);
  const attempt = await page.getByTestId('hosted-form').getAttribute('data-attempt');
  await expect(second.getByTestId('hosted-form')).toHaveAttribute('data-attempt', attempt!);

  await payWith(page, APPROVED);
  await expect(page.getByTestId('refund-completed')).toBeVisible();

  // The second tab's form was the same, now used, session: the sandbox refuses it.
  await payWith(second, MASTERCARD);
  await expect(hostedForm(second).getByTestId('hpf-problem')).toContainText('already been used');
  await openHydrated(second, link.url);
  await expect(second.getByTestId('refund-already-completed')).toBeVisible();
  await expect(second.getByTestId('hosted-form')).toHaveCount(0);

  await openHydrated(page, link.url);
  await expect(page.getByTestId('refund-already-completed')).toBeVisible();

  // Calling the server function directly, asking to "try again", returns the completed refund.
  const sig = new URL(link.url).searchParams.get('sig')!;
  const direct = await request.post(`${DEFAULT}/rpc/link_page`, {
    form: { kind: 'refund', id: link.id, sig, retry: 'true', lang: 'en' },
  });
  expect(direct.ok()).toBeTruthy();
  const answer = await direct.json();
  expect(Object.keys(answer.state)).toEqual(['Paid']);
  expect(JSON.stringify(answer)).not.toContain('/session/');
  const stored = await merchantGet(request, `${DEFAULT}/api/v1/refund-links/${link.id}`);
  expect(stored.status).toBe('completed');
  expect(stored.transaction.approvedAmount).toBe(990);
});

test('a tampered refund link is refused with a clear page', async ({ page, request }) => {
  const link = await createRefundLink(request, DEFAULT);
  const url = new URL(link.url);
  const sig = url.searchParams.get('sig')!;
  const tampered = [
    `${url.origin}${url.pathname}?sig=${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`,
    `${url.origin}${url.pathname}`,
    `${url.origin}/refund/${link.id.slice(0, -1)}${link.id.endsWith('0') ? '1' : '0'}?sig=${sig}`,
  ];
  for (const bad of tampered) {
    await openHydrated(page, bad);
    await expect(page.getByTestId('page-error')).toContainText('This refund link is not available');
    await expect(page.getByTestId('page-error-message')).toContainText('This refund link is not valid');
    await expect(page.getByTestId('hosted-form')).toHaveCount(0);
  }
  expect((await merchantGet(request, `${DEFAULT}/api/v1/refund-links/${link.id}`)).status).toBe('open');
});

test('an expired refund link is refused with a clear page', async ({ page, request }) => {
  // This server's refund links live 12 seconds.
  const link = await createRefundLink(request, SHORT_SESSIONS);
  await expect
    .poll(async () => (await merchantGet(request, `${SHORT_SESSIONS}/api/v1/refund-links/${link.id}`)).status, { timeout: 30_000 })
    .toBe('expired');
  await openHydrated(page, link.url);
  await expect(page.getByTestId('checkout-expired')).toContainText('This refund link has expired');
  await expect(page.getByTestId('hosted-form')).toHaveCount(0);
});

test('a refund link completes through the return URL alone', async ({ page, request }) => {
  const link = await createRefundLink(request, REDIRECT_ONLY, { amount: 2500, currency: 'USD' });
  await openHydrated(page, link.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('refund-completed')).toBeVisible();
  expect(page.url()).toBe(link.url);
});

test('a refund the closed original card declines goes to a new card through a bound refund link', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 4200, orderNumber: 'C-3003' });
  await openHydrated(page, checkout.url);
  await payWith(page, CLOSED_ACCOUNT);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();

  const api = `${DEFAULT}/api/v1/checkouts/${checkout.id}`;
  expect((await merchantPost(request, `${api}/capture`)).status).toBe(201);
  await closeSandboxBatch(request, DEFAULT);
  const refused = await merchantPost(request, `${api}/refund`, { amount: 4200 });
  expect(refused.body.operation.status).toBe('declined');
  expect(refused.body.operation.message).toBe('CLOSED ACCOUNT');

  const fallback = await merchantPost(request, `${api}/refund-link`);
  expect(fallback.status).toBe(201);
  expect(fallback.body.checkoutId).toBe(checkout.id);
  expect(fallback.body.amount).toBe(4200);

  await openHydrated(page, fallback.body.url);
  await expect(page.getByTestId('amount')).toHaveText('$42.00 USD');
  await expect(page.getByTestId('order-number')).toHaveText('C-3003');
  await expect(page.getByText('original card could not receive it')).toBeVisible();
  await payWith(page, MASTERCARD);
  await expect(page.getByTestId('refund-completed')).toBeVisible();

  const after = await merchantGet(request, api);
  expect(after.ledger).toEqual({
    authorized: 4200, captured: 4200, voided: 0, refunded: 4200, refundedToOtherCards: 4200, refundedOnDevices: 0,
    pending: 0, capturable: 0, refundable: 0, remaining: 0, overRefunded: 0,
  });
  expect(after.refundLinks).toEqual([{ id: fallback.body.id, status: 'completed', amount: 4200, card: 'MASTERCARD •••• 4444' }]);
  expect(after.operations.map((op: { type: string; status: string }) => `${op.type}:${op.status}`)).toEqual([
    'capture:succeeded', 'refund:declined',
  ]);
});

test('a canceled refund link shows the customer a canceled page and no card form', async ({ page, request }) => {
  const link = await createRefundLink(request, DEFAULT, { amount: 610 });
  const canceled = await merchantPost(request, `${DEFAULT}/api/v1/refund-links/${link.id}/cancel`);
  expect([canceled.status, canceled.body.status]).toEqual([200, 'canceled']);
  await openHydrated(page, link.url);
  await expect(page.getByTestId('checkout-ended')).toContainText('The merchant canceled this refund link');
  await expect(page.getByTestId('hosted-form')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});
