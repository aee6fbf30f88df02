// The main flows with JavaScript turned off: plain forms and links.
import { ACCOUNTS, GOOD_URL, INVALID_URL_MESSAGE } from './accounts';
import { expect, signIn, test } from './fixtures';

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
  await expect(page.getByRole('status')).toHaveText('Password changed. Your other sessions have been signed out.');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, { ...account, password: 'nojs-changed-pass-1' });
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
});
