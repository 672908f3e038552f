// Shared steps: create a checkout through the merchant API, fill the sandbox's hosted form, watch states.
import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, expect, FrameLocator, Page } from '@playwright/test';
import { MERCHANT_TOKEN, SANDBOX_API_KEY } from '../playwright.config';

export const DEFAULT = 'http://127.0.0.1:3201';
export const REDIRECT_ONLY = 'http://127.0.0.1:3202';
export const SHORT_SESSIONS = 'http://127.0.0.1:3203';
/** The example storefront of the default server (paydesk port + 20), registered in frame-ancestors. */
export const STOREFRONT = 'http://127.0.0.1:3221';
/** The example storefront of the short-sessions server (refund links expire after 12 s). */
export const SHORT_STOREFRONT = 'http://127.0.0.1:3223';

export const APPROVED = '4111 1111 1111 1111';
export const DECLINED = '4000 0000 0000 0002';
export const CLOSED_ACCOUNT = '4000 0000 0000 0341';
export const MASTERCARD = '5555 5555 5555 4444';

const auth = { Authorization: `Bearer ${MERCHANT_TOKEN}` };

/** POSTs to the merchant API and returns the status and JSON body. */
export async function merchantPost(request: APIRequestContext, url: string, data?: Record<string, unknown>) {
  const response = await request.post(url, { headers: auth, ...(data ? { data } : {}) });
  return { status: response.status(), body: await response.json() };
}

export async function merchantGet(request: APIRequestContext, url: string) {
  const response = await request.get(url, { headers: auth });
  expect(response.ok()).toBeTruthy();
  return await response.json();
}

export async function createRefundLink(request: APIRequestContext, base: string, body: Record<string, unknown> = {}) {
  const { status, body: link } = await merchantPost(request, `${base}/api/v1/refund-links`, {
    amount: 1500, currency: 'CAD', orderNumber: `R-${Date.now()}`, reason: 'Returned: 1 × paydesk mug', ...body,
  });
  expect(status).toBe(201);
  return link as { id: string; url: string; status: string };
}

/** Settles the sandbox's open batch (sandbox port = paydesk port + 10). */
export async function closeSandboxBatch(request: APIRequestContext, base: string) {
  const sandbox = base.replace(/:(\d+)$/, (_, port) => `:${Number(port) + 10}`);
  const response = await request.post(`${sandbox}/sandbox/batches/close`, { headers: { 'x-api-key': SANDBOX_API_KEY } });
  expect(response.status()).toBe(200);
}

export async function createCheckout(request: APIRequestContext, base: string, body: Record<string, unknown> = {}) {
  const response = await request.post(`${base}/api/v1/checkouts`, {
    headers: { Authorization: `Bearer ${MERCHANT_TOKEN}` },
    data: { amount: 1999, currency: 'USD', orderNumber: `E2E-${Date.now()}`, ...body },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string; url: string; status: string };
}

export async function checkoutStatus(request: APIRequestContext, base: string, id: string) {
  const response = await request.get(`${base}/api/v1/checkouts/${id}`, {
    headers: { Authorization: `Bearer ${MERCHANT_TOKEN}` },
  });
  expect(response.ok()).toBeTruthy();
  return (await response.json()) as { status: string; transaction: { id: string } | null };
}

/** Opens a page and waits until the WASM has hydrated it (clicks before that would be lost). */
export async function openHydrated(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** The gateway's hosted form inside a paydesk page (or inside a paydesk frame on a storefront). */
export function hostedForm(page: Page | FrameLocator): FrameLocator {
  return page.frameLocator('[data-testid="hosted-form"]');
}

export async function payWith(page: Page | FrameLocator, card: string) {
  const form = hostedForm(page);
  await form.getByLabel('Card number').fill(card);
  await form.getByLabel('Expiry date (MM/YY)').fill('12/39');
  await form.getByLabel('Security code (CVV)').fill('123');
  await form.getByLabel('Postal / ZIP code').fill('K1A 0B1');
  await form.getByTestId('hpf-submit').click();
}

/** Records every value the checkout's data-state takes, so a test can prove a state never appeared. */
export async function recordStates(page: Page) {
  await page.evaluate(() => {
    const target = document.querySelector('[data-testid="checkout-state"]')!;
    const seen: string[] = [target.getAttribute('data-state') ?? ''];
    (window as any).__paydeskStates = seen;
    new MutationObserver(() => seen.push(target.getAttribute('data-state') ?? '')).observe(target, {
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
  return async () => (await page.evaluate(() => (window as any).__paydeskStates)) as string[];
}

/** axe's serious and critical violations on our page; `exclude`: other sites' frames (the gateway's
 * hosted form or fields), checked by their owners. */
export async function seriousViolations(page: Page, exclude: string[] = ['[data-testid="hosted-form"]']) {
  let builder = new AxeBuilder({ page });
  for (const selector of exclude) builder = builder.exclude(selector);
  const results = await builder.analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

/** The sandbox home page's demo: a Commerce Hub charge on a closed card and its refund, whose page
 * (Hosted Fields for a new card) it opens; returns once the fields are ready. */
export async function openDemoClosedCardRefund(page: Page) {
  await openHydrated(page, DEFAULT);
  await page.getByTestId('create-demo-closed-card').click();
  await expect(page).toHaveURL(/\/refund\/rfd_[0-9A-Z]{26}\?sig=[\w-]{22}$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await cardFieldsReady(page);
}

export async function cardFieldsReady(page: Page) {
  await expect(page.getByTestId('card-fields')).toHaveAttribute('data-ready', 'true');
}

/** One Commerce Hub Hosted Field: its frame on the gateway's origin. */
export function cardField(page: Page, name: string): FrameLocator {
  return page.frameLocator(`iframe[data-fiserv-field="${name}"]`);
}

/** Types a new card into the Hosted Fields and sends the refund to it. */
export async function typeNewCard(page: Page, number: string) {
  await cardField(page, 'cardNumber').locator('input').fill(number);
  await cardField(page, 'nameOnCard').locator('input').fill('Ada Lovelace');
  await cardField(page, 'expiration').locator('input').fill('12/31');
  await cardField(page, 'securityCode').locator('input').fill('123');
  await expect(page.getByTestId('card-fields-submit')).toBeEnabled();
  await page.getByTestId('card-fields-submit').click();
}
