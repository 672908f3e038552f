// Embedding in a storefront: the example storefront (its own origin) mounts paydesk with /embed.js,
// receives every lifecycle event and resizes the frame; cancel() and destroy(); "Return to" and
// "Back to cart" navigate the storefront through embed.js; the layout holds at 320 px and in a tall
// narrow frame; an unregistered origin is refused by frame-ancestors.
import { expect, test } from '@playwright/test';
import { Page } from '@playwright/test';
import {
  APPROVED, DECLINED, DEFAULT, MASTERCARD, SHORT_STOREFRONT, STOREFRONT, checkoutStatus, merchantGet, payWith,
} from './helpers';

/** The id of the link the storefront mounted (from the fallback link's URL). */
async function mountedLinkId(page: Page) {
  const url = await page.locator('[data-paydesk-fallback]').getAttribute('href');
  return new URL(url!).pathname.split('/').pop()!;
}

/** Counts the storefront's own (top-level) navigations from now on. */
function countTopNavigations(page: Page) {
  const seen: string[] = [];
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) seen.push(frame.url()); });
  return seen;
}

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

test('a declined card reports declined, and the storefront can still take the payment', async ({ page }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  const paydesk = page.frameLocator('[data-paydesk-frame]');
  await payWith(paydesk, DECLINED);
  await expect(events.locator('[data-event="declined"]')).toHaveCount(1);
  await expect(paydesk.getByTestId('checkout-declined')).toBeVisible();
  await expect(paydesk.getByTestId('support-reference')).toHaveText(/^PD-/);
  await paydesk.getByTestId('try-again').click();
  await expect(events.locator('[data-event="ready"]')).toHaveCount(2);
});

test('cancel() records the abandonment on the server, answers, and the storefront tears down', async ({ page, request }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  const id = await mountedLinkId(page);

  await page.getByTestId('storefront-cancel').click();
  await expect(events.locator('[data-event="cancelled"]')).toHaveCount(1);
  await expect(events.locator('[data-event="cancelled"]')).toContainText(`"linkId":"${id}"`);
  await expect(events.locator('[data-event="cancel-answered"]')).toContainText('"recorded":true');
  await expect(events.locator('[data-event="destroyed"]')).toHaveCount(1);
  await expect(page.locator('[data-paydesk-frame]')).toHaveCount(0);

  const list = await merchantGet(request, `${DEFAULT}/api/v1/webhook-events?limit=200`);
  const abandoned = list.data.filter(
    (event: any) => event.type === 'payment.abandoned' && event.payload.data.checkoutId === id);
  expect(abandoned).toHaveLength(1);
  expect(abandoned[0].payload.data.storefrontOrigin).toBe(STOREFRONT);
  expect((await checkoutStatus(request, DEFAULT, id)).status).toBe('open');
});

test('the custom element cancels too', async ({ page }) => {
  await page.goto(`${STOREFRONT}/element`);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  await page.getByTestId('storefront-cancel').click();
  await expect(events.locator('[data-event="cancel-answered"]')).toContainText('"recorded":true');
  await expect(page.locator('paydesk-checkout')).toHaveCount(0);
});

test('"Return to" after a payment navigates the storefront once, through embed.js', async ({ page }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  const paydesk = page.frameLocator('[data-paydesk-frame]');
  await payWith(paydesk, APPROVED);
  await expect(events.locator('[data-event="approved"]')).toHaveCount(1);
  const back = paydesk.getByTestId('back-to-store');
  await expect(back).toHaveText('Return to Demo Store');

  const navigations = countTopNavigations(page);
  await back.click();
  await expect(page.getByTestId('storefront-thanks')).toBeVisible();
  expect(page.url()).toBe(`${STOREFRONT}/thanks`);
  await page.waitForTimeout(500);
  expect(navigations).toEqual([`${STOREFRONT}/thanks`]);
});

test('"Back to cart" asks the storefront first: it may route the customer itself', async ({ page }) => {
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  // A single-page storefront handles the navigation itself.
  await page.evaluate(() => {
    document.getElementById('checkout')!.addEventListener('paydesk:navigate', (event) => event.preventDefault(), { once: true });
  });
  const cart = page.frameLocator('[data-paydesk-frame]').getByTestId('cancel-link');
  await expect(cart).toHaveText('Back to cart');
  await cart.click();
  await expect(events.locator('[data-event="navigate"]')).toContainText(`"url":"${STOREFRONT}/cart","reason":"cancel"`);
  await page.waitForTimeout(500);
  expect(page.url()).toBe(`${STOREFRONT}/`);
  await expect(page.locator('[data-paydesk-frame]')).toHaveCount(1);

  // Without a listener that prevents it, embed.js navigates the storefront.
  await cart.click();
  await expect(page.getByTestId('storefront-cart')).toBeVisible();
  expect(page.url()).toBe(`${STOREFRONT}/cart`);
});

test('an embedded refund link that runs out reports expired', async ({ page }) => {
  test.setTimeout(120_000);
  // The short-sessions server: sessions last 20 s and refund links 12 s, so the session that
  // replaces the first one finds the link expired.
  await page.goto(`${SHORT_STOREFRONT}/refund`);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await expect(events.locator('[data-event="expired"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.frameLocator('[data-paydesk-frame]').getByTestId('checkout-expired')).toBeVisible();
});

/** Whether the embedded page fits its frame's width (no sideways scrolling). */
async function fitsItsWidth(page: Page) {
  const frame = page.frame({ url: /\/pay\// });
  return frame!.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('the embedded page fits a 320 px phone and a tall narrow frame', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(STOREFRONT);
  const events = page.getByTestId('storefront-events');
  await expect(events.locator('[data-event="ready"]')).toHaveCount(1);
  await expect(events.locator('[data-event="resize"]').first()).toBeAttached();
  expect(await fitsItsWidth(page)).toBe(true);
  const paydesk = page.frameLocator('[data-paydesk-frame]');
  await expect(paydesk.getByTestId('amount')).toBeVisible();
  await expect(paydesk.getByTestId('hosted-form')).toBeVisible();

  // A sidebar slot: 260 px wide on a wide screen. The frame grows to the page's height.
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.evaluate(() => { document.getElementById('checkout')!.style.width = '260px'; });
  await expect.poll(() => fitsItsWidth(page)).toBe(true);
  const frameElement = page.locator('[data-paydesk-frame]');
  await expect.poll(async () => {
    const frame = page.frame({ url: /\/pay\// })!;
    const needed = await frame.evaluate(() => document.querySelector('main')!.getBoundingClientRect().bottom);
    const height = await frameElement.evaluate((el) => el.getBoundingClientRect().height);
    return height >= needed;
  }).toBe(true);
  await payWith(paydesk, APPROVED);
  await expect(events.locator('[data-event="approved"]')).toHaveCount(1);
  expect(await fitsItsWidth(page)).toBe(true);
  await expect(paydesk.getByTestId('back-to-store')).toBeVisible();
});

test('embed.js mounts only paydesk pages from the origin it was loaded from', async ({ page }) => {
  await page.goto(STOREFRONT);
  await expect(page.getByTestId('storefront-events').locator('[data-event="ready"]')).toHaveCount(1);
  const refusals = await page.evaluate((paydesk) => {
    const tries = [
      'https://evil.example/pay/chk_01JTESTTESTTESTTESTTESTTEST',
      `${paydesk}/admin`,
      `${paydesk}/api/v1/checkouts`,
    ];
    return tries.map((url) => {
      const box = document.createElement('div');
      document.body.appendChild(box);
      try {
        (window as any).Paydesk.mount(box, { url });
        return `${url}: mounted`;
      } catch (error) {
        return String((error as Error).message);
      } finally {
        box.remove();
      }
    });
  }, DEFAULT);
  expect(refusals).toHaveLength(3);
  for (const refusal of refusals) expect(refusal).toContain('must be a paydesk payment or refund page');
  await expect(page.locator('iframe[src*="evil.example"]')).toHaveCount(0);
});
