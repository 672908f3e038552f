// Pages that look like the merchant's and follow the storefront: a storefront's theme (light or
// dark, its background, its accent) passed in the page's URL by embed.js; every text stays readable
// (axe's colour-contrast rule among the others), an accent too weak for its page is adjusted.
import { expect, Page, test } from '@playwright/test';
import { APPROVED, DEFAULT, STOREFRONT, createCheckout, openHydrated, payWith, seriousViolations } from './helpers';

/** A CSS custom property of the page, as the browser computed it. */
async function cssVariable(page: Page, name: string) {
  return page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
}

async function backgroundOf(page: Page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test('a dark-themed page with a storefront accent passes axe, ready and paid', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 1999, returnUrl: `${STOREFRONT}/thanks` });
  // #5b3fd6 is too dark to read on a dark page: paydesk lightens it.
  await openHydrated(page, `${checkout.url}?theme=dark&accent=%235b3fd6`);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await backgroundOf(page)).toBe('rgb(13, 17, 23)');
  const accent = await cssVariable(page, '--accent');
  expect(accent).not.toBe('#5b3fd6');
  expect(await seriousViolations(page)).toEqual([]);

  await payWith(page, APPROVED);
  await expect(page.getByTestId('checkout-approved')).toBeVisible();
  await expect(page.getByTestId('back-to-store')).toHaveCSS('background-color', await page.evaluate(
    (hex) => { const el = document.createElement('i'); el.style.color = hex; document.body.append(el);
      const rgb = getComputedStyle(el).color; el.remove(); return rgb; }, accent));
  expect(await seriousViolations(page)).toEqual([]);
});

test('a light-themed page darkens a yellow accent and passes axe', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 1250, cancelUrl: `${STOREFRONT}/cart` });
  await openHydrated(page, `${checkout.url}?theme=light&accent=%23ffcc00`);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await backgroundOf(page)).toBe('rgb(246, 248, 250)');
  const accent = await cssVariable(page, '--accent');
  expect(accent).toMatch(/^#[0-9a-f]{6}$/);
  expect(accent).not.toBe('#ffcc00');
  expect(await seriousViolations(page)).toEqual([]);
  // The same page in French, still themed (the language links keep the theme).
  await page.getByTestId('lang-fr').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await cssVariable(page, '--accent')).toBe(accent);
});

test('a dark storefront passes its theme through embed.js: the page takes its background', async ({ page }) => {
  await page.goto(`${STOREFRONT}/?look=dark`);
  await expect(page.getByTestId('storefront-events').locator('[data-event="ready"]')).toHaveCount(1);
  const frame = page.frame({ url: /\/pay\// })!;
  expect(new URL(frame.url()).searchParams.get('theme')).toBe('dark');
  expect(await frame.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(16, 21, 28)');
  const paydesk = page.frameLocator('[data-paydesk-frame]');
  await payWith(paydesk, APPROVED);
  await expect(paydesk.getByTestId('checkout-approved')).toBeVisible();
});

test('without a theme the page follows the customer\'s own setting', async ({ page, request }) => {
  const checkout = await createCheckout(request, DEFAULT, { amount: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await openHydrated(page, checkout.url);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'auto');
  expect(await backgroundOf(page)).toBe('rgb(13, 17, 23)');
  expect(await seriousViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await backgroundOf(page)).toBe('rgb(246, 248, 250)');
});
