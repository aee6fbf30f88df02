// History, safe concurrent edits, idempotent create, test messages, and
// search/sort/bulk on the list, with JavaScript on.
import { ACCOUNTS, GONE_URL, GOOD_URL } from './accounts';
import { allowStatus, createWebhook, expect, hydrated, signIn, test } from './fixtures';

test('the webhook page shows its history; Activity shows the organization\'s', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  const name = `Audited ${Date.now()}`;
  await createWebhook(page, name);
  await page.getByRole('link', { name }).click();
  await hydrated(page);
  await page.getByLabel('Name').fill(`${name} v2`);
  await page.getByLabel('Active').uncheck();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/notice=saved/);
  await page.getByRole('link', { name: `${name} v2` }).click();
  await page.getByRole('link', { name: 'Reveal URL' }).click();
  await expect(page.locator('#full-url')).toHaveText(GOOD_URL);

  const history = page.getByRole('table', { name: 'History of this webhook' });
  const rows = history.getByRole('row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText('Revealed the URL');
  await expect(rows.nth(2)).toContainText('Changed name, active');
  await expect(rows.nth(3)).toContainText('Created');
  await expect(rows.nth(3)).toContainText(ACCOUNTS.admin.email);
  await expect(rows.nth(3)).toContainText('browser');
  await expect(history).not.toContainText('XXXX');

  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/activity$/);
  const activity = page.getByRole('table', { name: 'Activity of your organization\'s webhooks' });
  await expect(activity.getByRole('row', { name: new RegExp(`${name} v2.*Revealed the URL`) })).toBeVisible();
  await expect(activity.getByRole('row', { name: new RegExp(`${name}.*Created`) })).toBeVisible();
});

test('a stale save shows who won and never overwrites it', async ({ page, context, consoleProblems }) => {
  await signIn(page, ACCOUNTS.admin);
  const name = `Contended ${Date.now()}`;
  await createWebhook(page, name);
  await page.getByRole('link', { name }).click();
  await hydrated(page);
  const editUrl = page.url();

  // A colleague (another tab) saves first.
  const other = await context.newPage();
  await other.goto(editUrl);
  await hydrated(other);
  await other.getByLabel('Description').fill('Their description');
  await other.getByRole('button', { name: 'Save changes' }).click();
  await expect(other).toHaveURL(/notice=saved/);
  await other.close();

  await page.getByLabel('Name').fill(`${name} mine`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'changed since you loaded it' });
  await expect(alert).toHaveText('This webhook was changed since you loaded it. Reload it and try again. Reload');
  // The page already shows their save; nothing of mine was stored.
  await expect(page.getByLabel('Description')).toHaveValue('Their description');
  await expect(page.getByLabel('Name')).toHaveValue(name);
  await alert.getByRole('link', { name: 'Reload' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'changed since' })).toHaveCount(0);
  allowStatus(consoleProblems, 412);
});

test('a double-clicked create makes one webhook', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.goto('/webhooks/new');
  await hydrated(page);
  const name = `Double ${Date.now()}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slack webhook URL').fill(GOOD_URL);
  await page.getByRole('button', { name: 'Create webhook' }).dblclick();
  await expect(page).toHaveURL(/notice=created/);
  await page.goto('/webhooks?q=' + encodeURIComponent(name));
  await expect(page.getByRole('link', { name })).toHaveCount(1);
});

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

test('search as you type, filter, sort, and act on selected rows', async ({ page }) => {
  await signIn(page, ACCOUNTS.searcher);
  await hydrated(page);
  await expect(page.getByText('4 webhooks', { exact: true })).toBeVisible();

  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.pressSequentially('ops', { delay: 30 });
  await expect(page).toHaveURL(/\/webhooks\?q=ops#search$/);
  await hydrated(page);
  await expect(page.getByText('2 webhooks found')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ops alerts' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Billing' })).toBeVisible();
  // Typing can go on: the box keeps focus, the cursor at the end.
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('ops');

  await page.getByLabel('Status').selectOption('inactive');
  await expect(page).toHaveURL(/q=ops&status=inactive/);
  await expect(page.getByText('1 webhook found')).toBeVisible();

  await page.goto('/webhooks');
  await hydrated(page);
  await page.getByRole('link', { name: 'Name', exact: true }).click();
  await expect(page).toHaveURL(/sort=name$/);
  const names = page.locator('table.webhooks tbody td[data-label="Name"]');
  await expect(names).toHaveText(['alpha', 'Billing', 'Ops alerts', 'Zebra']);
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('link', { name: /^Name/ }).click();
  await expect(page).toHaveURL(/sort=name&dir=desc$/);
  await expect(names).toHaveText(['Zebra', 'Ops alerts', 'Billing', 'alpha']);

  // Deactivate two at once.
  await hydrated(page);
  await page.getByRole('checkbox', { name: 'Select Zebra' }).check();
  await page.getByRole('checkbox', { name: 'Select Ops alerts' }).check();
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByRole('status')).toHaveText('2 webhooks deactivated.');
  await expect(page).toHaveURL(/sort=name&dir=desc&notice=deactivated&count=2/);
  await expect(page.getByRole('row', { name: /Zebra/ })).toContainText('Inactive');

  // Delete asks once, naming them.
  await hydrated(page);
  await page.getByRole('checkbox', { name: 'Select Zebra' }).check();
  await page.getByRole('checkbox', { name: 'Select alpha' }).check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete 2 webhooks?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('listitem')).toHaveText(['Zebra', 'alpha']);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.getByRole('button', { name: 'Delete 2 webhooks' }).click();
  await expect(page.getByRole('status')).toHaveText('2 webhooks deleted.');
  await expect(names).toHaveText(['Ops alerts', 'Billing']);
});
