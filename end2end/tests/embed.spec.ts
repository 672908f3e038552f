// Embedding in a storefront: the example storefront (its own origin) mounts paydesk with /embed.js,
// receives lifecycle events and resizes the frame; an unregistered origin is refused by frame-ancestors.
import { expect, test } from '@playwright/test';
import { APPROVED, DEFAULT, MASTERCARD, STOREFRONT, checkoutStatus, payWith } from './helpers';

test('the example storefront embeds a checkout, receives approved and resizes the frame', async ({ page, request }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  const container = page.getByTestId('storefront-checkout');
  const frameElement = page.locator('[data-paydesk-frame]');
  await expect.poll(async () => `${await container.getAttribute('data-frame-height')}px`)
    .toBe(await frameElement.evaluate((el) => (el as HTMLIFrameElement).style.height));
  const readyHeight = Number(await container.getAttribute('data-frame-height'));
  expect(readyHeight).toBeGreaterThanOrEqual(200);
  expect(readyHeight % 8).toBe(0);
  // Loading the checkout leaves the storefront's keyboard focus where it was.
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');

  const paydesk = page.frameLocator('[data-paydesk-frame]');
  await payWith(paydesk, APPROVED);
  await expect(events.locator('[data-event="approved"]')).toHaveCount(1);
  await expect(paydesk.getByTestId('checkout-approved')).toBeVisible();
  // The receipt is shorter than the form: the frame follows the page's height.
  await expect.poll(async () => Number(await container.getAttribute('data-frame-height'))).toBeLessThan(readyHeight);
  expect(await frameElement.evaluate((el) => (el as HTMLIFrameElement).style.height))
    .toBe(`${await container.getAttribute('data-frame-height')}px`);
  // Completion needed no top-level navigation, and the server agrees.
  expect(page.url()).toBe(`${STOREFRONT}/`);
  const url = await page.locator('[data-paydesk-fallback]').getAttribute('href');
  const id = url!.split('/pay/')[1];
  expect((await checkoutStatus(request, DEFAULT, id)).status).toBe('authorized');
  await expect(page.locator('[data-paydesk-fallback]')).toHaveAttribute('target', '_blank');
});

test('destroy() removes the frame, its fallback link and its message listener, once', async ({ page }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.evaluate(() => {
    const removed: string[] = [];
    (window as any).__removedListeners = removed;
    const original = window.removeEventListener;
    window.removeEventListener = function (type: string, listener: any, options?: any) {
      removed.push(type);
      return original.call(this, type, listener, options);
    } as typeof window.removeEventListener;
  });

  // The storefront calls destroy() twice.
  await page.getByTestId('storefront-remove').click();
  await expect(events.locator('[data-event="destroyed"]')).toHaveCount(1);
  await expect(page.locator('[data-paydesk-frame]')).toHaveCount(0);
  await expect(page.locator('[data-paydesk-fallback]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__removedListeners)).toEqual(['message']);
  expect(errors).toEqual([]);
});

test('the <paydesk-checkout> element mounts a checkout, reports its events, and removing it tears it down', async ({ page, request }) => {
  await page.goto(`${STOREFRONT}/element`);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  await expect(page.locator('paydesk-checkout > iframe[data-paydesk-frame]')).toHaveCount(1);

  await payWith(page.frameLocator('[data-paydesk-frame]'), APPROVED);
  await expect(events.locator('[data-event="approved"]')).toHaveCount(1);
  const url = await page.locator('[data-paydesk-fallback]').getAttribute('href');
  expect((await checkoutStatus(request, DEFAULT, url!.split('/pay/')[1])).status).toBe('authorized');

  await page.getByTestId('storefront-remove').click();
  await expect(events.locator('[data-event="destroyed"]')).toHaveCount(1);
  await expect(page.locator('[data-paydesk-frame]')).toHaveCount(0);
  await expect(page.locator('[data-paydesk-fallback]')).toHaveCount(0);
});

test('an embedded refund link reports refunded', async ({ page }) => {
  await page.goto(`${STOREFRONT}/refund`);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await payWith(page.frameLocator('[data-paydesk-frame]'), MASTERCARD);
  await expect(events.locator('[data-event="refunded"]')).toHaveCount(1);
  await expect(events.locator('[data-event="approved"]')).toHaveCount(0);
});

test('a storefront on an unregistered origin is refused by frame-ancestors', async ({ page }) => {
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  // Same storefront, but as http://localhost:…, which is not a registered origin.
  await page.goto(STOREFRONT.replace('127.0.0.1', 'localhost'));
  await expect.poll(() => console.some((text) => text.includes('frame-ancestors')), { timeout: 15_000 }).toBe(true);
  await page.waitForTimeout(1_000);
  await expect(page.getByTestId('storefront-events').locator('[data-event="ready"]')).toHaveCount(0);
  await expect(page.frameLocator('[data-paydesk-frame]').getByTestId('checkout-state')).toHaveCount(0);
});
