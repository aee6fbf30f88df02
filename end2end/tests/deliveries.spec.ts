// Deliveries on a webhook's page, JavaScript on: Slack removed the webhook,
// the engine turned it off; the page says why, and its held message is
// discarded; or its URL is fixed and its held messages sent, in order; a
// message Slack refused, redelivered from its page; event types narrowing
// what arrives. The same flows without JavaScript: no-js.spec.ts.
import { ACCOUNTS, GONE_URL, refuseOnceUrl } from './accounts';
import {
  axeCleanWideAndNarrow,
  expect,
  heldMessagesSentInOrder,
  openNewWebhook,
  refusedThenRedelivered,
  sendEvent,
  signIn,
  subscriptionsNarrowWhatArrives,
  test,
  untilTurnedOff,
} from './fixtures';

test('a webhook Slack removed is turned off, says why, and its held message is discarded', async ({ page }) => {
  const account = ACCOUNTS.deliverer;
  await signIn(page, account);
  const name = `Removed ${Date.now()}`;
  await openNewWebhook(page, name, GONE_URL);
  await expect(page.getByText('No events have been sent to this webhook yet.')).toBeVisible();

  expect(sendEvent(account, 'project.created', 'Apollo was created')).toMatch(/: queued for 1 webhook\n$/);
  await untilTurnedOff(page);
  const banner = page.getByRole('region', { name: 'Turned off by delivery' });
  await expect(banner).toContainText('Slack removed this webhook; paste a new URL');
  await expect(banner).toContainText('1 message is held until you choose.');
  const deliveries = page.getByRole('table', { name: 'Deliveries of this webhook' });
  await expect(deliveries.getByRole('row', { name: /project\.created held 1 Slack removed this webhook/ })).toBeVisible();

  await axeCleanWideAndNarrow(page, 'turned off');

  await page.getByRole('button', { name: 'Reactivate and discard them' }).click();
  await expect(page.getByRole('status')).toHaveText('The webhook is on; its held messages were discarded.');
  await expect(deliveries.getByRole('row', { name: /project\.created dead 1/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Turned off by delivery' })).toHaveCount(0);

  // The delivery's own page: its attempt in words, the message sent.
  await deliveries.getByRole('link', { name: 'project.created' }).click();
  await expect(page.getByRole('heading', { name: /^Delivery \d+: project\.created$/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Attempts of this delivery' })).toContainText(
    'Slack removed this webhook; paste a new URL',
  );
  await expect(page.locator('pre.message')).toContainText('"text": "Apollo was created"');
  await expect(page.getByRole('button', { name: 'Redeliver' })).toBeVisible();
  await axeCleanWideAndNarrow(page, 'delivery');

  // The organization's health: the chart, and its numbers in a table; wide and narrow.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
  await expect(page.getByRole('heading', { name: 'Delivery health' })).toBeVisible();
  const hours = page.getByRole('table', { name: 'Attempts per hour' });
  await expect(hours.getByRole('row')).toHaveCount(25);
  await expect(page.locator('figure.chart svg rect').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Failing most' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: name })).toContainText('1 failure');
  await axeCleanWideAndNarrow(page, 'health');
});

test('a message Slack refused is given up, then redelivered from its page', async ({ page }) => {
  await refusedThenRedelivered(page, ACCOUNTS.redeliverer, refuseOnceUrl());
});

test('held messages are sent in order once the webhook is fixed and reactivated; the health page agrees', async ({ page }) => {
  test.setTimeout(60_000);
  await heldMessagesSentInOrder(page, ACCOUNTS.releaser, true);
});

test("a webhook's event types, checked as they are typed, narrow what arrives", async ({ page }) => {
  await subscriptionsNarrowWhatArrives(page, ACCOUNTS.subscriber, true);
});
