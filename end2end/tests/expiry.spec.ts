// Sessions expire (20 s on this server): the page counts down and swaps in a fresh session in place.
import { expect, test } from '@playwright/test';
import { APPROVED, SHORT_SESSIONS, createCheckout, openHydrated, payWith } from './helpers';

test('an expired session is replaced without leaving the page', async ({ page, request }) => {
  const checkout = await createCheckout(request, SHORT_SESSIONS);
  await openHydrated(page, checkout.url);
  const frame = page.getByTestId('hosted-form');
  const first = await frame.getAttribute('data-attempt');
  const firstUrl = await frame.getAttribute('src');

  await expect(page.getByTestId('session-countdown')).toBeVisible({ timeout: 30_000 });
  await expect(frame).not.toHaveAttribute('data-attempt', first!, { timeout: 30_000 });
  expect(page.url()).toBe(checkout.url);
  // paydesk replaces a session a few seconds before it ends; at its expiry the gateway kills it.
  await expect.poll(async () => (await request.get(firstUrl!)).status(), { timeout: 15_000 }).toBe(410);

  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
});
