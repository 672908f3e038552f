// Refunds of Commerce Hub charges whose card account is closed: the tagged refund is declined, and the
// customer gives a new card in Commerce Hub Hosted Fields (the simulator's imitation: checkout.js from
// its own origin, one frame per field there). In English and French, by keyboard, axe-clean; a
// declined new card then another; a link used twice.
import { expect, FrameLocator, Page, test } from '@playwright/test';
import { DEFAULT, openHydrated, seriousViolations } from './helpers';

const MASTERCARD = '5500 0072 8729 7385';
const VISA = '4012 0019 2870 6700';
const DECLINED = '4000 0000 0000 0002';

/** The sandbox home page's demo: a charge on a closed card, its refund, the customer's page. */
async function openDemoRefund(page: Page) {
  await openHydrated(page, DEFAULT);
  await page.getByTestId('create-demo-closed-card').click();
  await expect(page).toHaveURL(/\/refund\/rfd_[0-9A-Z]{26}\?sig=[\w-]{22}$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await fieldsReady(page);
}

async function fieldsReady(page: Page) {
  await expect(page.getByTestId('card-fields')).toHaveAttribute('data-ready', 'true');
}

function field(page: Page, name: string): FrameLocator {
  return page.frameLocator(`iframe[data-fiserv-field="${name}"]`);
}

async function typeCard(page: Page, number: string) {
  await field(page, 'cardNumber').locator('input').fill(number);
  await field(page, 'nameOnCard').locator('input').fill('Ada Lovelace');
  await field(page, 'expiration').locator('input').fill('12/31');
  await field(page, 'securityCode').locator('input').fill('123');
  await expect(page.getByTestId('card-fields-submit')).toBeEnabled();
  await page.getByTestId('card-fields-submit').click();
}

/** The field frames are the gateway's pages: check ours. */
const ourPage = (page: Page) => seriousViolations(page, ['.card-field-frame']);

test('a closed card: the customer types a new card by keyboard and the refund goes to it, once', async ({ page, context }) => {
  await openDemoRefund(page);
  await expect(page.getByTestId('amount')).toHaveText('$12.25 USD');
  await expect(page.getByTestId('card-fields')).toContainText('Where should we send your refund?');
  for (const name of ['cardNumber', 'nameOnCard', 'expiration', 'securityCode']) {
    const frame = page.locator(`iframe[data-fiserv-field="${name}"]`);
    await expect(frame).toHaveAttribute('src', /^http:\/\/127\.0\.0\.1:3241\/fields\//);
    await expect(frame).toHaveAttribute('title', /.+/);
  }
  await expect(page.getByTestId('card-fields-submit')).toBeDisabled();
  expect(await ourPage(page)).toEqual([]);

  // Keyboard only: into the card number's frame, Tab from field to field, then to the button.
  await field(page, 'cardNumber').locator('input').focus();
  await page.keyboard.type(MASTERCARD.replace(/ /g, ''));
  await page.keyboard.press('Tab');
  await page.keyboard.type('Ada Lovelace');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/31');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('card-fields-submit')).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('refund-completed')).toContainText('Refund sent');
  await expect(page.getByTestId('receipt-card')).toHaveText('MASTERCARD •••• 7385');
  await expect(page.getByTestId('receipt-amount')).toHaveText('$12.25 USD');
  expect(await ourPage(page)).toEqual([]);

  // The link again, in another tab: already paid out, no fields.
  const again = await context.newPage();
  await openHydrated(again, page.url());
  await expect(again.getByTestId('refund-already-completed')).toContainText('This refund has already been paid out');
  await expect(again.getByTestId('receipt-card')).toHaveText('MASTERCARD •••• 7385');
  await expect(again.getByTestId('card-fields')).toHaveCount(0);
});

test('a declined new card can be replaced by another', async ({ page }) => {
  await openDemoRefund(page);
  await typeCard(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toContainText('Nothing was sent to it');
  expect(await ourPage(page)).toEqual([]);

  await page.getByTestId('try-again').click();
  await fieldsReady(page);
  await typeCard(page, VISA);
  await expect(page.getByTestId('refund-completed')).toBeVisible();
  await expect(page.getByTestId('receipt-card')).toHaveText('VISA •••• 6700');
});

test('a tampered link shows no fields', async ({ page }) => {
  await openDemoRefund(page);
  await openHydrated(page, page.url().replace(/sig=./, 'sig=~'));
  await expect(page.getByTestId('page-error-message')).toContainText('not valid');
  await expect(page.locator('iframe[data-fiserv-field]')).toHaveCount(0);
});

test.describe('a French-speaking browser', () => {
  test.use({ locale: 'fr-CA' });

  test('gets the new-card page in French and the refund goes to the new card', async ({ page }) => {
    await openDemoRefund(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByTestId('amount')).toHaveText(/^12,25\s\$\sUS$/);
    await expect(page.getByTestId('card-fields')).toContainText('Où devons-nous verser votre remboursement?');
    await expect(page.locator('iframe[data-fiserv-field="cardNumber"]')).toHaveAttribute('title', 'Numéro de carte');
    await expect(field(page, 'securityCode').getByLabel('Code de sécurité')).toBeVisible();
    expect(await ourPage(page)).toEqual([]);

    await typeCard(page, MASTERCARD);
    await expect(page.getByTestId('refund-completed')).toContainText('Remboursement envoyé');
    await expect(page.getByTestId('receipt-card')).toHaveText('MASTERCARD •••• 7385');
    expect(await ourPage(page)).toEqual([]);
  });
});
