// The returnUrl-only flow: the hosted form sends no message, it navigates its iframe to our return page.
import { expect, test } from '@playwright/test';
import { APPROVED, REDIRECT_ONLY, checkoutStatus, createCheckout, openHydrated, payWith } from './helpers';

test('completion reaches the outer page through the return URL alone', async ({ page, request }) => {
  const checkout = await createCheckout(request, REDIRECT_ONLY, { amount: 5000, currency: 'CAD' });
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('amount')).toHaveText('$50.00 CAD');
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => { if (frame !== page.mainFrame()) navigations.push(frame.url()); });

  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  expect(page.url()).toBe(checkout.url);
  // Exactly one navigation of the iframe to our return page: no loop.
  expect(navigations.filter((url) => url.includes(`/pay/${checkout.id}/return`))).toHaveLength(1);
  expect((await checkoutStatus(request, REDIRECT_ONLY, checkout.id)).status).toBe('authorized');
});
