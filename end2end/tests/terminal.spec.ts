// Refunds on a payment device from the staff console: the status view follows the terminal by itself
// (no reload) while a second page plays the customer at the Payroc simulator's virtual terminal.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { expect, Page, test } from '@playwright/test';
import { DEFAULT, seriousViolations } from './helpers';

const EMAIL = 'till@example.com';
const PASSWORD = 'correct horse battery staple';
/** The default server's Payroc simulator (paydesk port + 30). */
const TERMINALS = 'http://127.0.0.1:3231/terminal';

test.beforeAll(() => {
  // Once per worker: a worker restarted after a failure finds the account already there.
  try {
    execFileSync('../target/release/paydesk', ['staff', 'add', '--email', EMAIL, '--role', 'refunder'], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${path.join(process.env.PAYDESK_E2E_DATA!, 'default.db')}`,
        PAYDESK_STAFF_PASSWORD: PASSWORD,
      },
      stdio: 'pipe',
    });
  } catch (error) {
    if (!String((error as { stderr?: Buffer }).stderr ?? '').includes('already has an account')) throw error;
  }
});

async function signIn(page: Page) {
  await page.goto(`${DEFAULT}/admin/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(`${DEFAULT}/admin`);
}

async function startRefund(page: Page, device: string, amount: string, entry = 'device_read') {
  await page.goto(`${DEFAULT}/admin/device-refunds/new`);
  await page.getByTestId('terminal-device').selectOption(device);
  await page.getByTestId('terminal-entry-method').selectOption(entry);
  await page.getByTestId('terminal-refund-amount').fill(amount);
  await page.getByTestId('terminal-refund-order').fill(`T-${Date.now()}`);
  await page.getByTestId('terminal-refund-description').fill('Returned: 1 × paydesk mug');
  await page.getByTestId('terminal-refund-confirm').check();
  await page.getByTestId('terminal-refund-submit').click();
  await expect(page.getByTestId('device-refund-status')).toContainText(`Waiting for the card on terminal ${device}`);
}

/** Counts navigations of the page's main frame from now on. */
function countReloads(page: Page) {
  let count = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) count += 1;
  });
  return () => count;
}

test('a refund on a terminal turns approved by itself when the customer taps a card', async ({ page, context }) => {
  await signIn(page);
  await startRefund(page, '1850010868', '49.99');
  await expect(page.getByTestId('device-refund-status')).toHaveAttribute('aria-live', 'polite');
  await expect(page.getByTestId('device-refund-cancel')).toBeVisible();
  const reloads = countReloads(page);

  const terminal = await context.newPage();
  await terminal.goto(`${TERMINALS}/1850010868`);
  await expect(terminal.getByTestId('terminal-amount')).toHaveText('49.99 USD');
  await terminal.getByTestId('terminal-tap-visa').click();
  await expect(terminal.getByTestId('terminal-done')).toContainText('Approved');

  await expect(page.getByTestId('device-refund-status')).toHaveText(
    'Approved: $49.99 USD refunded to Visa Credit •••• 0011.',
  );
  await expect(page.getByTestId('device-refund-cancel-form')).toBeHidden();
  expect(reloads()).toBe(0);
});

test('a refund on a terminal can be canceled while the terminal waits for the card', async ({ page, context }) => {
  await signIn(page);
  await startRefund(page, '1850010869', '12.00');
  await page.locator('#confirm').check();
  await page.getByTestId('device-refund-cancel').click();
  await expect(page.getByTestId('device-refund-status')).toHaveText('Canceled: no money moved.');
  const terminal = await context.newPage();
  await terminal.goto(`${TERMINALS}/1850010869`);
  await expect(terminal.getByTestId('terminal-canceled')).toBeVisible();
});

test('a card the issuer declines shows as declined on the console', async ({ page, context }) => {
  await signIn(page);
  await startRefund(page, '1850010870', '7.50');
  const reloads = countReloads(page);
  const terminal = await context.newPage();
  await terminal.goto(`${TERMINALS}/1850010870`);
  await terminal.getByTestId('terminal-decline').click();
  await expect(page.getByTestId('device-refund-status')).toContainText('Declined');
  expect(reloads()).toBe(0);
});

test('a card whose chip cannot be read is keyed in on the terminal', async ({ page, context }) => {
  await signIn(page);
  await startRefund(page, '1850010868', '20.00', 'manual_entry');
  const terminal = await context.newPage();
  await terminal.goto(`${TERMINALS}/1850010868`);
  // The terminal was asked for keyed entry: it offers no tap.
  await expect(terminal.getByTestId('terminal-waiting')).toHaveText('Key in the card');
  await expect(terminal.getByTestId('terminal-tap-visa')).toHaveCount(0);
  await terminal.getByLabel('Key a card').fill('4761 7300 0000 0011');
  await terminal.getByTestId('terminal-key').click();
  await expect(page.getByTestId('device-refund-status')).toHaveText(
    'Approved: $20.00 USD refunded to Visa Credit •••• 0011.',
  );
});

test('a refund made by mistake is reversed from the console while the batch is open', async ({ page, context }) => {
  await signIn(page);
  await startRefund(page, '1850010869', '15.00');
  await expect(page.getByTestId('device-refund-reverse-form')).toBeHidden();
  const terminal = await context.newPage();
  await terminal.goto(`${TERMINALS}/1850010869`);
  await terminal.getByTestId('terminal-tap-visa').click();
  await expect(page.getByTestId('device-refund-status')).toHaveText(
    'Approved: $15.00 USD refunded to Visa Credit •••• 0011.',
  );
  // Once approved, the page offers the reversal by itself (no reload), behind a confirmation.
  await expect(page.getByTestId('device-refund-reverse-form')).toBeVisible();
  expect(await seriousViolations(page, [])).toEqual([]);
  await page.getByLabel('Reverse this refund').check();
  await page.getByTestId('device-refund-reverse').click();
  await expect(page.getByTestId('device-refund-status')).toHaveText(
    "Reversed: the refund of $15.00 USD was taken out of Payroc's batch; no money went to the card.",
  );
  await expect(page.getByTestId('device-refund-reverse-form')).toHaveCount(1);
  await expect(page.getByTestId('device-refund-reverse-form')).toBeHidden();
});
