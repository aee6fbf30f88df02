// The main flows with JavaScript turned off: plain forms and links.
import { ACCOUNTS, GOOD_URL, INVALID_URL_MESSAGE, refuseOnceUrl } from './accounts';
import {
  expect,
  heldMessagesSentInOrder,
  refusedThenRedelivered,
  signIn,
  subscriptionsNarrowWhatArrives,
  test,
} from './fixtures';

test('sign in, create (bad URL, then fixed), find, edit, delete, sign out', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ACCOUNTS.nojs.email);
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');

  await signIn(page, ACCOUNTS.nojs);
  await page.getByRole('link', { name: 'New webhook' }).first().click();

  const name = `No script ${Date.now()}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slack webhook URL').fill('https://example.com/hook');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page.locator('#url-error')).toHaveText(INVALID_URL_MESSAGE);
  await expect(page.getByLabel('Name')).toHaveValue(name);

  await page.getByLabel('Slack webhook URL').fill(GOOD_URL);
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page).toHaveURL(/notice=created/);
  await expect(page.getByRole('status')).toHaveText('Webhook created.');

  await page.getByRole('link', { name }).click();
  await page.getByRole('link', { name: 'Reveal URL' }).click();
  await expect(page.locator('#full-url')).toHaveText(GOOD_URL);
  await page.getByLabel('Description').fill('Edited without JavaScript');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Changes saved.');

  await page.getByRole('link', { name }).click();
  await expect(page.getByLabel('Description')).toHaveValue('Edited without JavaScript');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Delete webhook' }).click();
  await expect(page.getByRole('status')).toHaveText('Webhook deleted.');
  await expect(page.getByRole('link', { name })).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('paginate without JavaScript', async ({ page }) => {
  await signIn(page, ACCOUNTS.pages);
  await page.goto('/webhooks?page_size=10');
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2&page_size=10/);
  await expect(page.getByRole('row', { name: /Paged hook 11/ })).toBeVisible();
  await page.getByLabel('Per page').selectOption('50');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/page_size=50/);
  await expect(page.getByRole('row', { name: /Paged hook 27/ })).toBeVisible();
});

test('change password without JavaScript', async ({ page }) => {
  const account = ACCOUNTS.nojsChanger;
  await signIn(page, account);
  await page.getByRole('link', { name: 'Password' }).click();
  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('New password again').fill('short');
  // The browser's own check (minlength) would stop a short one: skip it, as an old browser would.
  await page.locator('form.form').evaluate((form) => form.setAttribute('novalidate', ''));
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The new password must have 12 to 1024 characters.');

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill('nojs-changed-pass-1');
  await page.getByLabel('New password again').fill('nojs-changed-pass-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText(
    'Password changed. Your other sessions have been signed out and your API tokens revoked.',
  );
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, { ...account, password: 'nojs-changed-pass-1' });
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
});

test('search, sort and bulk delete without JavaScript', async ({ page }) => {
  await signIn(page, ACCOUNTS.nojsSearcher);
  await page.getByRole('searchbox', { name: 'Search' }).fill('OPS');
  await page.getByLabel('Status').selectOption('active');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=OPS&status=active/);
  await expect(page.getByText('1 webhook found')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ops alerts' })).toBeVisible();

  await page.goto('/webhooks?sort=created&dir=desc');
  const names = page.locator('table.webhooks tbody td[data-label="Name"]');
  await expect(names).toHaveText(['alpha', 'Zebra', 'Billing', 'Ops alerts']);
  await page.getByRole('checkbox', { name: 'Select alpha' }).check();
  await page.getByRole('checkbox', { name: 'Select Billing' }).check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  // The list asks first, naming them.
  const question = page.getByRole('alertdialog', { name: 'Delete 2 webhooks?' });
  await expect(question).toBeVisible();
  await expect(question.getByRole('listitem')).toHaveText(['alpha', 'Billing']);
  await question.getByRole('button', { name: 'Delete 2 webhooks' }).click();
  await expect(page.getByRole('status')).toHaveText('2 webhooks deleted.');
  await expect(page).toHaveURL(/sort=created&dir=desc&notice=deleted_many&count=2/);
  await expect(names).toHaveText(['Zebra', 'Ops alerts']);
});

test('a test message, a stale save and the history without JavaScript', async ({ page, context }) => {
  await signIn(page, ACCOUNTS.nojs);
  const name = `Plain ${Date.now()}`;
  await page.goto('/webhooks/new');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slack webhook URL').fill(GOOD_URL);
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await page.getByRole('link', { name }).click();
  const editUrl = page.url();

  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText('Test message delivered: Slack accepted it.')).toBeVisible();

  const other = await context.newPage();
  await other.goto(editUrl);
  await other.getByLabel('Description').fill('Saved elsewhere');
  await other.getByRole('button', { name: 'Save changes' }).click();
  await expect(other).toHaveURL(/notice=saved/);
  await other.close();

  await page.getByLabel('Description').fill('Mine');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'changed since' })).toContainText(
    'This webhook was changed since you loaded it. Reload it and try again.',
  );
  await expect(page.getByLabel('Description')).toHaveValue('Saved elsewhere');

  const rows = page.getByRole('table', { name: 'History of this webhook' }).getByRole('row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText('Changed description');
  await expect(rows.nth(2)).toContainText('Sent a test message');
  await expect(rows.nth(3)).toContainText('Created');
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('row', { name: new RegExp(`${name}.*Sent a test message`) })).toBeVisible();
});

test('a webhook turned off by delivery: fix its URL, reactivate it and send what it held, in order, at 375 px without JavaScript', async ({ page }) => {
  test.setTimeout(60_000);
  await heldMessagesSentInOrder(page, ACCOUNTS.nojsReleaser, false);
});

test("a webhook's event types narrow what arrives, at 375 px without JavaScript", async ({ page }) => {
  await subscriptionsNarrowWhatArrives(page, ACCOUNTS.nojsSubscriber, false);
});

test('a message Slack refused, redelivered from its page at 375 px without JavaScript', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 900 });
  await refusedThenRedelivered(page, ACCOUNTS.nojsRedeliverer, refuseOnceUrl());
});
