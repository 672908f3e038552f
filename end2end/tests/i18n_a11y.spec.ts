// Customer pages in English and French (chosen from the browser, with a switch; amounts formatted for
// the language), usable by keyboard, and free of serious axe violations.
import { expect, test } from '@playwright/test';
import { APPROVED, DEFAULT, createCheckout, createRefundLink, hostedForm, openHydrated, payWith, seriousViolations } from './helpers';

test.describe('a French-speaking browser', () => {
  test.use({ locale: 'fr-CA' });

  test('gets the payment page in French with French amounts, and can switch to English', async ({ page, request }) => {
    const checkout = await createCheckout(request, DEFAULT, { amount: 123456, currency: 'CAD', orderNumber: 'FR-1' });
    await openHydrated(page, checkout.url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByTestId('amount')).toHaveText(/^1\s234,56\s\$\sCA$/);
    await expect(page.getByTestId('order-summary')).toContainText('Commande');
    await expect(page.getByTestId('checkout-ready')).toContainText('Vos données de carte vont directement au service de paiement');
    await expect(page.getByTestId('lang-fr')).toHaveAttribute('aria-current', 'true');
    expect(await seriousViolations(page)).toEqual([]);

    await payWith(page, APPROVED);
    await expect(page.getByTestId('checkout-approved')).toContainText('Paiement approuvé');
    await expect(page.getByTestId('receipt-amount')).toHaveText(/^1\s234,56\s\$\sCA$/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByTestId('lang-en').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('checkout-already-paid')).toContainText('This order is already paid');
    await expect(page.getByTestId('amount')).toHaveText('$1,234.56 CAD');
  });

  test('gets the refund page in French; the switch keeps the signed link', async ({ page, request }) => {
    const link = await createRefundLink(request, DEFAULT, { amount: 2500, currency: 'CAD' });
    await openHydrated(page, link.url);
    await expect(page.getByTestId('summary-kind')).toHaveText('Remboursement sur votre carte');
    await expect(page.getByTestId('amount')).toHaveText(/^25,00\s\$\sCA$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('summary-kind')).toHaveText('Refund to your card');
    expect(new URL(page.url()).searchParams.get('sig')).toBe(new URL(link.url).searchParams.get('sig'));
    await expect(page.getByTestId('hosted-form')).toBeVisible();
  });

  test('gets a tampered refund link refused in French', async ({ page, request }) => {
    const link = await createRefundLink(request, DEFAULT);
    await openHydrated(page, link.url.replace(/sig=./, 'sig=~'));
    await expect(page.getByTestId('page-error')).toContainText('Ce lien de remboursement n’est pas disponible');
    await expect(page.getByTestId('page-error-message')).toContainText('n’est pas valide');
  });
});

test('an English browser pays by keyboard alone, and every state passes axe', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 4500, orderNumber: 'KB-1' });
  await openHydrated(page, checkout.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('amount')).toHaveText('$45.00 USD');
  expect(await seriousViolations(page)).toEqual([]);

  // Tab from the page into the hosted form, then type and Tab between its fields; Enter submits.
  const form = hostedForm(page);
  await page.getByTestId('lang-fr').focus();
  for (let i = 0; i < 10 && !(await form.getByLabel('Card number').evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(form.getByLabel('Card number')).toBeFocused();
  await page.keyboard.type(APPROVED);
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/39');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await page.keyboard.type('K1A 0B1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  const link = await createRefundLink(request, DEFAULT);
  await openHydrated(page, link.url);
  expect(await seriousViolations(page)).toEqual([]);
  await openHydrated(page, `${DEFAULT}/pay/chk_unknown`);
  await expect(page.getByTestId('page-error')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
