// Customer payment flows with the JavaScript callback (the hosted form posts its result to our page).
import { expect, test } from '@playwright/test';
import {
  APPROVED, DECLINED, DEFAULT, SHORT_SESSIONS, checkoutStatus, createCheckout, hostedForm, merchantGet, merchantPost,
  openHydrated, payWith, recordStates, seriousViolations,
} from './helpers';

test('an approved card is confirmed by the server and shown as paid', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 2450, orderNumber: 'A-1001' });
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('amount')).toHaveText('$24.50 USD');
  await expect(page.getByTestId('order-number')).toHaveText('A-1001');
  await expect(page.getByTestId('merchant-name')).toHaveText('Demo Store');
  await expect(hostedForm(page).getByTestId('hpf-amount')).toHaveText('$24.50 USD');
  // The keyboard starts in the card form, and comes back to the page's status region, where the
  // outcome is announced, once the form is done.
  await expect(page.getByTestId('hosted-form')).toBeFocused();

  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  await expect(page.getByTestId('checkout-state')).toBeFocused();
  await expect(page.getByTestId('receipt-card')).toHaveText('VISA •••• 1111');
  expect((await checkoutStatus(request, DEFAULT, checkout.id)).status).toBe('authorized');

  // A reload shows the confirmed state, and no new session is opened.
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('checkout-already-paid')).toBeVisible();
  await expect(page.getByTestId('hosted-form')).toHaveCount(0);
});

test('a paid checkout has a printable receipt', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 2450, orderNumber: 'A-2001' });
  await openHydrated(page, checkout.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  await page.evaluate(() => {
    (window as any).__printed = 0;
    window.print = () => { (window as any).__printed += 1; };
  });
  await page.getByTestId('print-receipt').click();
  await expect.poll(() => page.evaluate(() => (window as any).__printed)).toBe(1);

  // On paper: the receipt and what was bought, no buttons or language links.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('receipt-amount')).toHaveText('$24.50 USD');
  await expect(page.getByTestId('receipt-transaction')).toBeVisible();
  await expect(page.getByTestId('order-number')).toHaveText('A-2001');
  await expect(page.getByTestId('print-receipt')).toBeHidden();
  await expect(page.getByTestId('language-switch')).toBeHidden();
});

test('the iframe is in the server-rendered HTML and a live session is reused on reload', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT);
  const html = await (await request.get(checkout.url)).text();
  expect(html).toMatch(/<iframe[^>]+data-testid="hosted-form"[^>]+src="http:\/\/127\.0\.0\.1:3211\/session\//);
  await openHydrated(page, checkout.url);
  const first = await page.getByTestId('hosted-form').getAttribute('data-attempt');
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('hosted-form')).toHaveAttribute('data-attempt', first!);
});

test('a declined card can be retried with another card', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT);
  await openHydrated(page, checkout.url);
  const firstAttempt = await page.getByTestId('hosted-form').getAttribute('data-attempt');

  await payWith(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toBeVisible();
  await expect(page.getByTestId('problem-message')).toContainText('declined');
  expect((await checkoutStatus(request, DEFAULT, checkout.id)).status).toBe('declined');

  await page.getByTestId('try-again').click();
  await expect(page.getByTestId('hosted-form')).toBeVisible();
  await expect(page.getByTestId('hosted-form')).toBeFocused();
  await expect(page.getByTestId('hosted-form')).not.toHaveAttribute('data-attempt', firstAttempt!);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  expect((await checkoutStatus(request, DEFAULT, checkout.id)).status).toBe('authorized');
});

test('messages from another origin or another window are ignored', async ({ page, request, context }) => {
  const checkout = await createCheckout(request, DEFAULT);
  await openHydrated(page, checkout.url);
  const states = await recordStates(page);
  const forged = {
    type: 'fiskaPaymentResult',
    data: { success: true, transactionId: 'trx_forged', referenceId: 'forged', amount: 1999 },
  };

  // Each forgery names the page's exact origin, so the browser delivers it (counted below): only the
  // page's own checks can ignore it.
  await page.evaluate(() => {
    (window as any).__forgeries = 0;
    window.addEventListener('message', (event) => {
      if ((event.data as { data?: { transactionId?: string } })?.data?.transactionId === 'trx_forged') {
        (window as any).__forgeries += 1;
      }
    });
  });
  // From this window itself (same origin, but not the hosted form's window).
  await page.evaluate((message) => window.postMessage(message, window.location.origin), forged);
  // From a window on another origin (localhost is not 127.0.0.1).
  const popupPromise = context.waitForEvent('page');
  await page.evaluate(() => window.open('http://localhost:3201/robots.txt'));
  const popup = await popupPromise;
  await popup.waitForLoadState();
  await popup.evaluate(([message, target]) => window.opener.postMessage(message, target), [forged, DEFAULT] as const);
  await popup.close();

  await page.waitForTimeout(1500);
  expect(await page.evaluate(() => (window as any).__forgeries)).toBe(2);
  expect(await states()).toEqual(['ready']);
  await expect(page.getByTestId('checkout-ready')).toBeVisible();
  expect((await checkoutStatus(request, DEFAULT, checkout.id)).status).toBe('open');
});

test('the return URL shows what the server confirmed, not what its parameters claim', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT);
  const returnUrl = `${checkout.url}/return?resultCode=0&resultText=APPROVED&status=Completed&transactionId=trx_fake`;
  await openHydrated(page, returnUrl);
  await expect(page.getByTestId('return-open')).toBeVisible();
  await expect(page.getByTestId('return-paid')).toHaveCount(0);

  await openHydrated(page, checkout.url);
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  await openHydrated(page, `${checkout.url}/return?resultCode=3000&status=Error`);
  await expect(page.getByTestId('return-paid')).toBeVisible();
});

test('an unknown payment link gets a clear page', async ({ page }) => {
  await openHydrated(page, `${DEFAULT}/pay/chk_doesnotexist`);
  await expect(page.getByTestId('page-error')).toContainText("couldn't find this payment link");
});

test('a link locks after repeated declined cards, says so calmly, and opens again once the merchant unlocks it', async ({ page, request }) => {
  // The short-sessions server locks a link after two declined cards.
  const checkout = await createCheckout(request, SHORT_SESSIONS);
  await openHydrated(page, checkout.url);
  await payWith(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toBeVisible();
  await page.getByTestId('try-again').click();
  await expect(page.getByTestId('hosted-form')).toBeVisible();
  await expect(page.getByTestId('hosted-form')).toBeFocused();
  await payWith(page, DECLINED);

  await expect(page.getByTestId('checkout-locked')).toBeVisible();
  await expect(page.getByTestId('problem-message')).toContainText('paused');
  await expect(page.getByTestId('try-again')).toHaveCount(0);
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('checkout-locked')).toBeVisible();
  await expect(page.getByTestId('hosted-form')).toHaveCount(0);
  expect((await merchantGet(request, `${SHORT_SESSIONS}/api/v1/checkouts/${checkout.id}`)).locked).toBe(true);

  const unlocked = await merchantPost(request, `${SHORT_SESSIONS}/api/v1/checkouts/${checkout.id}/unlock`);
  expect(unlocked.status).toBe(200);
  expect(unlocked.body.locked).toBe(false);
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('checkout-declined')).toBeVisible();
  await page.getByTestId('try-again').click();
  await expect(page.getByTestId('hosted-form')).toBeVisible();
  await expect(page.getByTestId('hosted-form')).toBeFocused();
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
});

test('a checkout the merchant canceled shows the customer a canceled page and no card form', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 1250, orderNumber: 'CANCEL-1' });
  const canceled = await merchantPost(request, `${DEFAULT}/api/v1/checkouts/${checkout.id}/cancel`);
  expect([canceled.status, canceled.body.status]).toEqual([200, 'canceled']);
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('checkout-ended')).toContainText('The merchant canceled this payment link');
  await expect(page.getByTestId('hosted-form')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});
