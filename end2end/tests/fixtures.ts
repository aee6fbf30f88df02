// Every test fails on a console error or warning (hydration warnings
// included) or an uncaught page error.
import { execFileSync } from 'child_process';
import { test as base, expect, Locator, Page } from '@playwright/test';
import { SERVER_BIN } from '../server-binary';
import AxeBuilder from '@axe-core/playwright';
import { Account, GOOD_URL, archivedOnCueUrl, recordedUrl } from './accounts';

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

/**
 * The rows of a webhook's deliveries of `type` whose status is `status`,
 * found by their cells (at 375 px each cell also shows its column's label).
 */
export function deliveryRows(page: Page, type: string, status: string): Locator {
  return page
    .getByRole('table', { name: 'Deliveries of this webhook' })
    .locator('tbody tr')
    .filter({ has: page.locator('td[data-label="Event"]').getByText(type, { exact: true }) })
    .filter({ has: page.locator('td[data-label="Status"]').getByText(status, { exact: true }) });
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
  const dead = deliveryRows(page, 'project.created', 'dead');
  await untilShown(page, dead);
  await expect(dead).toContainText('Slack could not read the message');
  await dead.getByRole('link', { name: 'project.created' }).click();
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

const FAKE_SLACK = `http://127.0.0.1:${process.env.FAKE_SLACK_PORT ?? '3108'}`;

/** The texts the fake Slack accepted at `url`, in order of arrival. */
export async function arrivalsAt(url: string): Promise<string[]> {
  const path = encodeURIComponent(new URL(url).pathname);
  const reply = await fetch(`${FAKE_SLACK}/_arrivals?path=${path}`);
  return reply.json();
}

/** Lets the fake Slack answer `url`'s posts, waiting and later: 410 `channel_is_archived`. */
async function cue(url: string): Promise<void> {
  await fetch(`${FAKE_SLACK}/_cue`, { method: 'POST', body: new URL(url).pathname });
}

/** No axe violations on the page (JavaScript on), at 1280 and 375 px wide. */
export async function axeCleanWideAndNarrow(page: Page, what: string): Promise<void> {
  const viewport = page.viewportSize();
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await hydrated(page);
    const results = await new AxeBuilder({ page }).options({ preload: false }).analyze();
    expect(results.violations.map((v) => `${what} at ${width}: ${v.id} ${v.help}`)).toEqual([]);
  }
  if (viewport) await page.setViewportSize(viewport);
}

/** The sums of the health page's hourly table: delivered, retried, dead, held. */
async function healthSums(page: Page): Promise<number[]> {
  const rows = page.getByRole('table', { name: 'Attempts per hour' }).locator('tbody tr');
  const sums = [0, 0, 0, 0];
  for (const row of await rows.all()) {
    const cells = await row.locator('td').allTextContents();
    cells.forEach((cell, n) => (sums[n] += Number(cell)));
  }
  return sums;
}

/**
 * Slack answers 410 (the channel was archived) while three messages wait
 * for a webhook: the engine turns it off and holds them, the list and its
 * page say so; its URL fixed, "Reactivate and send the held messages"
 * delivers them in order; the health page, filtered to it, counts what its
 * deliveries show.
 */
export async function heldMessagesSentInOrder(page: Page, account: Account, javascript: boolean): Promise<void> {
  // Axe runs in the page: with JavaScript; without, the same server HTML is
  // used at 375 px.
  const axe = javascript ? axeCleanWideAndNarrow : async (_page: Page, _what: string) => {};
  if (!javascript) await page.setViewportSize({ width: 375, height: 900 });
  await signIn(page, account);
  const name = `Held ${Date.now()}`;
  const archived = archivedOnCueUrl();
  await openNewWebhook(page, name, archived);
  for (const text of ['first', 'second', 'third']) {
    expect(sendEvent(account, 'project.created', text)).toMatch(/: queued for 1 webhook\n$/);
  }
  await cue(archived);
  await untilTurnedOff(page);
  const banner = page.getByRole('region', { name: 'Turned off by delivery' });
  await expect(banner).toContainText('The channel was archived; unarchive it or paste a URL for another one');
  await expect(banner).toContainText('3 messages are held until you choose.');

  // Fix the cause: a URL Slack takes. The list marks it until someone chooses.
  const fixed = recordedUrl();
  await page.getByLabel('Slack webhook URL').fill(fixed);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Changes saved.');
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name }) });
  await expect(row).toContainText('Turned off by delivery');
  await axe(page, 'list');
  await page.getByRole('link', { name }).click();
  await expect(banner).toContainText('3 messages are held until you choose.');
  await axe(page, 'held');

  await page.getByRole('button', { name: 'Reactivate and send the held messages' }).click();
  await expect(page.getByRole('status')).toHaveText('The webhook is on; its held messages are on their way, in order.');
  await expect.poll(() => arrivalsAt(fixed), { timeout: 20_000 }).toEqual(['first', 'second', 'third']);
  await untilShown(page, deliveryRows(page, 'project.created', 'delivered').nth(2));
  await expect(deliveryRows(page, 'project.created', 'delivered')).toHaveCount(3);

  // The health page, filtered to this webhook: its chart and table agree with that.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
  await page.getByLabel('Webhook', { exact: true }).selectOption({ label: name });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/webhook=\d+/);
  // Delivered: the three; held: the one attempt Slack refused (the others never went).
  expect(await healthSums(page)).toEqual([3, 0, 0, 1]);
  await expect(page.locator('figure.chart > svg rect[fill="#1a7f37"]')).not.toHaveCount(0);
  await expect(page.locator('figure.chart > svg rect[fill="#6e40c9"]')).not.toHaveCount(0);
  await expect(page.locator('figure.chart > svg rect[fill="#b42318"]')).toHaveCount(0);
  await expect(page.getByRole('listitem').filter({ hasText: name })).toContainText('1 failure');
  await page.getByLabel('Status', { exact: true }).selectOption('delivered');
  await page.getByRole('button', { name: 'Filter' }).click();
  expect(await healthSums(page)).toEqual([3, 0, 0, 0]);
  await axe(page, 'health filtered');
}

/**
 * A webhook's event types, set on its form: only those arrive. With
 * JavaScript the box is checked as it is typed; without, on saving.
 */
export async function subscriptionsNarrowWhatArrives(page: Page, account: Account, javascript: boolean): Promise<void> {
  const axe = javascript ? axeCleanWideAndNarrow : async (_page: Page, _what: string) => {};
  if (!javascript) await page.setViewportSize({ width: 375, height: 900 });
  await signIn(page, account);
  const name = `Subscribed ${Date.now()}`;
  const url = recordedUrl();
  await openNewWebhook(page, name, url);
  const box = page.getByLabel('Event types');
  await expect(box).toHaveValue('');
  const error = page.locator('#subscriptions-error');
  const message =
    'Item 1: Enter an event type (project.created) or a prefix ending in * (project.*): at most 100 characters of a-z, 0-9, "." and "_".';
  if (javascript) {
    await hydrated(page);
    await box.fill('Project.*');
    await expect(error).toHaveText(message);
    await expect(box).toHaveAttribute('aria-invalid', 'true');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(box).toBeFocused();
  } else {
    await box.fill('Project.*');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(error).toHaveText(message);
    await expect(box).toHaveValue('Project.*');
  }
  await axe(page, 'event types refused');
  await box.fill('project.*');
  if (javascript) await expect(error).toHaveText('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Changes saved.');
  await page.getByRole('link', { name }).click();
  await expect(box).toHaveValue('project.*');
  await expect(page.getByRole('table', { name: 'History of this webhook' })).toContainText('Changed subscriptions');

  expect(sendEvent(account, 'task.done', 'not for it')).toMatch(/: queued for 0 webhooks\n$/);
  expect(sendEvent(account, 'project.created', 'for it')).toMatch(/: queued for 1 webhook\n$/);
  await expect.poll(() => arrivalsAt(url), { timeout: 20_000 }).toEqual(['for it']);
  await untilShown(page, deliveryRows(page, 'project.created', 'delivered'));
  await expect(page.getByRole('table', { name: 'Deliveries of this webhook' }).locator('tbody tr')).toHaveCount(1);
}
