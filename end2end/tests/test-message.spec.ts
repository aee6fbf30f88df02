// Sending a test message: delivered, refused by Slack, then too soon.
import { ACCOUNTS, GONE_URL } from './accounts';
import { allowStatus, createWebhook, expect, hydrated, signIn, test } from './fixtures';

test('send a test message: delivered, refused, then too soon', async ({ page, consoleProblems }) => {
  await signIn(page, ACCOUNTS.admin);
  const name = `Tested ${Date.now()}`;
  await createWebhook(page, name);
  await page.getByRole('link', { name }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText('Test message delivered: Slack accepted it.')).toBeVisible();
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'moments ago' })).toHaveText(
    /^A test message was sent moments ago\. Try again in \d+ seconds\.$/,
  );
  await expect(page.getByRole('table', { name: 'History of this webhook' })).toContainText('Sent a test message');

  // Slack refuses a deleted webhook's URL.
  const gone = `Gone ${Date.now()}`;
  await page.goto('/webhooks/new');
  await hydrated(page);
  await page.getByLabel('Name').fill(gone);
  await page.getByLabel('Slack webhook URL').fill(GONE_URL);
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await page.getByRole('link', { name: gone }).click();
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not delivered' })).toHaveText(
    'The test message was not delivered. Slack answered 404: no_service',
  );
  allowStatus(consoleProblems, 502);
  allowStatus(consoleProblems, 429);
});
