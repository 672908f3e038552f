// Refunds of Commerce Hub charges whose card account is closed: the tagged refund is declined, and the
// customer gives a new card in Commerce Hub Hosted Fields (the simulator's imitation: checkout.js from
// its own origin, one frame per field there). In English and French, by keyboard, axe-clean; a
// declined new card then another; a link used twice.
import { expect, Page, test } from '@playwright/test';
import {
  cardField, cardFieldsReady, openDemoClosedCardRefund, openHydrated, seriousViolations, typeNewCard,
} from './helpers';

const MASTERCARD = '5500 0072 8729 7385';
const VISA = '4012 0019 2870 6700';
const DECLINED = '4000 0000 0000 0002';

/** The field frames are the gateway's pages: check ours. */
const ourPage = (page: Page) => seriousViolations(page, ['.card-field-frame']);

test('a closed card: the customer types a new card by keyboard and the refund goes to it, once', async ({ page, context }) => {
  await openDemoClosedCardRefund(page);
  await expect(page.getByTestId('amount')).toHaveText('$12.25 USD');
  await expect(page.getByTestId('card-fields')).toContainText('Where should we send your refund?');
  for (const name of ['cardNumber', 'nameOnCard', 'expiration', 'securityCode']) {
    const frame = page.locator(`iframe[data-fiserv-field="${name}"]`);
    await expect(frame).toHaveAttribute('src', /^http:\/\/127\.0\.0\.1:3241\/fields\//);
    // The SDK is given no name for a frame (Fiserv documents none): paydesk's page names it.
    await expect(frame).toHaveAttribute('title', /.+/);
  }
  await expect(page.getByTestId('card-fields-submit')).toBeDisabled();
  expect(await ourPage(page)).toEqual([]);

  // Keyboard only: into the card number's frame, Tab from field to field, then to the button.
  await cardField(page, 'cardNumber').locator('input').focus();
  await page.keyboard.type(MASTERCARD.replace(/ /g, ''));
  await page.keyboard.press('Tab');
  await page.keyboard.type('Ada Lovelace');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12/31');
  await page.keyboard.press('Tab');
  await page.keyboard.type('123');
  // The button is enabled once the fields report the card complete; Tab skips it before that.
  await expect(page.getByTestId('card-fields-submit')).toBeEnabled();
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
  await openDemoClosedCardRefund(page);
  await typeNewCard(page, DECLINED);
  await expect(page.getByTestId('checkout-declined')).toContainText('Nothing was sent to it');
  expect(await ourPage(page)).toEqual([]);

  await page.getByTestId('try-again').click();
  await cardFieldsReady(page);
  await typeNewCard(page, VISA);
  await expect(page.getByTestId('refund-completed')).toBeVisible();
  await expect(page.getByTestId('receipt-card')).toHaveText('VISA •••• 6700');
});

test('a tampered link shows no fields', async ({ page }) => {
  await openDemoClosedCardRefund(page);
  await openHydrated(page, page.url().replace(/sig=./, 'sig=~'));
  await expect(page.getByTestId('page-error-message')).toContainText('not valid');
  await expect(page.locator('iframe[data-fiserv-field]')).toHaveCount(0);
});

test.describe('a French-speaking browser', () => {
  test.use({ locale: 'fr-CA' });

  test('gets the new-card page in French and the refund goes to the new card', async ({ page }) => {
    await openDemoClosedCardRefund(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByTestId('amount')).toHaveText(/^12,25\s\$\sUS$/);
    await expect(page.getByTestId('card-fields')).toContainText('Où devons-nous verser votre remboursement?');
    await expect(page.locator('iframe[data-fiserv-field="cardNumber"]')).toHaveAttribute('title', 'Numéro de carte');
    await expect(cardField(page, 'securityCode').getByPlaceholder('Code de sécurité')).toBeVisible();
    expect(await ourPage(page)).toEqual([]);

    await typeNewCard(page, MASTERCARD);
    await expect(page.getByTestId('refund-completed')).toContainText('Remboursement envoyé');
    await expect(page.getByTestId('receipt-card')).toHaveText('MASTERCARD •••• 7385');
    expect(await ourPage(page)).toEqual([]);
  });
});
