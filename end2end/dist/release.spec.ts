// A sandbox checkout paid on the unpacked release (scripts/test-dist.sh starts it).
import { expect, test } from '@playwright/test';
import { APPROVED, checkoutStatus, createCheckout, openHydrated, payWith } from '../tests/helpers';

const RELEASE = process.env.PAYDESK_DIST_URL ?? '';

test('the unpacked release serves its pages and takes a payment', async ({ page, request }) => {
  expect(RELEASE, 'scripts/test-dist.sh sets PAYDESK_DIST_URL').not.toBe('');
  const ready = await (await request.get(`${RELEASE}/health/ready`)).json();
  expect(ready.version).toMatch(/^\d+\.\d+\.\d+/);

  const checkout = await createCheckout(request, RELEASE, { amount: 1875, orderNumber: 'DIST-1' });
  await openHydrated(page, checkout.url);
  await expect(page.getByTestId('merchant-name')).toHaveText('Release Test Shop');
  await expect(page.getByTestId('amount')).toHaveText('$18.75 USD');
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  expect((await checkoutStatus(request, RELEASE, checkout.id)).status).toBe('authorized');
});
