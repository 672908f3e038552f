// The sandbox home page: one click to a demo checkout or a demo refund link, both usable end to end.
import { expect, test } from '@playwright/test';
import { APPROVED, DEFAULT, MASTERCARD, openHydrated, payWith } from './helpers';

test('the home page opens a demo checkout and a demo refund link', async ({ page }) => {
  await openHydrated(page, DEFAULT);
  await page.getByTestId('create-demo-checkout').click();
  await expect(page).toHaveURL(/\/pay\/chk_/);
  await expect(page.getByTestId('amount')).toHaveText('$24.50 USD');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();

  await openHydrated(page, DEFAULT);
  await page.getByTestId('create-demo-refund').click();
  await expect(page).toHaveURL(/\/refund\/rfl_[0-9A-Z]{26}\?sig=/);
  await expect(page.getByTestId('amount')).toHaveText('$12.25 USD');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await payWith(page, MASTERCARD);
  await expect(page.getByTestId('refund-completed')).toBeVisible();
});
