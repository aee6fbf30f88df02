// Every test fails on a console error or warning (hydration warnings
// included) or an uncaught page error.
import { execFileSync } from 'child_process';
import { test as base, expect, Locator, Page } from '@playwright/test';
import { SERVER_BIN } from '../server-binary';
import { Account, GOOD_URL } from './accounts';

export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
        }
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await use(problems);
      expect(problems, 'console errors and warnings').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * Accepts Chrome's "Failed to load resource" console line for responses the
 * test itself expects to fail with `status` (a wrong password, a 404 page).
 */
export function allowStatus(problems: string[], status: number): void {
  const line = `the server responded with a status of ${status} `;
  for (let i = problems.length - 1; i >= 0; i--) {
    if (problems[i].includes(line)) problems.splice(i, 1);
  }
}

/** Waits until the WASM client has hydrated the page (no-op without JS). */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).__webhookAdminHydrated === true);
}

/** Creates a webhook through the form (JavaScript on). */
export async function createWebhook(page: Page, name: string): Promise<void> {
  await page.goto('/webhooks/new');
  await hydrated(page);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slack webhook URL').fill(GOOD_URL);
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page).toHaveURL(/notice=created/);
}

export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
}

/** Posts an event as the account's user, through the admin CLI; what it printed. */
export function sendEvent(account: Account, type: string, text: string): string {
  const args = ['event', 'send', type, text, '--as', account.email];
  return execFileSync(SERVER_BIN, args, { env: { ...process.env, RUST_LOG: 'warn' } }).toString();
}

/** Creates a webhook with `url` through the form and opens its page. */
export async function openNewWebhook(page: Page, name: string, url: string): Promise<void> {
  await page.goto('/webhooks/new');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slack webhook URL').fill(url);
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page).toHaveURL(/notice=created/);
  await page.getByRole('link', { name }).click();
}

/**
 * Reloads the page until `wanted` shows: what the engine does in the
 * background reaches a page when it is loaded again.
 */
export async function untilShown(page: Page, wanted: Locator): Promise<void> {
  await expect(async () => {
    await page.reload();
    await expect(wanted).toBeVisible({ timeout: 250 });
  }).toPass({ timeout: 20_000 });
}

/** Reloads the webhook's page until the engine has turned it off. */
export async function untilTurnedOff(page: Page): Promise<void> {
  await untilShown(page, page.getByRole('heading', { name: 'Turned off by delivery' }));
}

/**
 * A message Slack refuses once, given up and redelivered from its page
 * (with or without JavaScript): delivered the second time.
 */
export async function refusedThenRedelivered(page: Page, account: Account, url: string): Promise<void> {
  await signIn(page, account);
  await openNewWebhook(page, `Refused ${Date.now()}`, url);
  expect(sendEvent(account, 'project.created', 'Apollo was created')).toMatch(/: queued for 1 webhook\n$/);
  const deliveries = page.getByRole('table', { name: 'Deliveries of this webhook' });
  await untilShown(page, deliveries.getByRole('row', { name: /project\.created dead 1 Slack could not read the message/ }));
  await deliveries.getByRole('link', { name: 'project.created' }).click();
  await expect(page.getByRole('table', { name: 'Attempts of this delivery' })).toContainText(
    'Slack could not read the message; it will not be sent again',
  );
  await page.getByRole('button', { name: 'Redeliver' }).click();
  await expect(page.getByRole('status')).toHaveText('The delivery is waiting to be sent again.');
  await expect(page.getByRole('button', { name: 'Redeliver' })).toHaveCount(0);
  const attempts = page.getByRole('table', { name: 'Attempts of this delivery' });
  await untilShown(page, attempts.getByRole('row', { name: /Delivered$/ }));
  await expect(page.locator('dl.facts')).toContainText('delivered');
}
