import { ACCOUNTS, GOOD_URL, INVALID_URL_MESSAGE, PAGED_WEBHOOKS } from './accounts';
import { allowStatus, createWebhook, expect, hydrated, signIn, test } from './fixtures';

test('create: inline errors before anything is sent, then a valid webhook', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.getByRole('link', { name: 'New webhook' }).first().click();
  await expect(page).toHaveURL(/\/webhooks\/new$/);
  await hydrated(page);

  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') sent.push(request.url());
  });

  const url = page.getByLabel('Slack webhook URL');
  await url.fill('http://example.com/hook');
  await expect(page.locator('#url-error')).toHaveText(INVALID_URL_MESSAGE);
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await expect(url).toHaveAttribute('aria-describedby', /url-error/);

  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expect(page.locator('#name-error')).toHaveText('This field may not be blank.');
  await expect(page.getByLabel('Name')).toBeFocused();
  expect(sent).toEqual([]);

  const name = `Engineering ${Date.now()}`;
  await page.getByLabel('Name').fill(name);
  await expect(page.locator('#name-error')).toHaveText('');
  await url.fill(GOOD_URL);
  await expect(page.locator('#url-error')).toHaveText('');
  await page.getByLabel('Description').fill('Posts project events');
  await page.getByRole('button', { name: 'Create webhook' }).click();

  await expect(page).toHaveURL(/\/webhooks\?notice=created$/);
  await expect(page.getByRole('status')).toHaveText('Webhook created.');
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('hooks.slack.com/services/T…/B…/••••abcd');
  await expect(row).not.toContainText('XXXXXXXX');
  await expect(row).toContainText('Active');
});

test('edit saves changes, reveals the URL, and delete asks first', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  const name = `Edit me ${Date.now()}`;
  await createWebhook(page, name);

  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name: `Edit “${name}”` })).toBeVisible();
  await hydrated(page);

  await page.getByRole('link', { name: 'Reveal URL' }).click();
  await expect(page.locator('#full-url')).toHaveText(GOOD_URL);
  await expect(page.getByRole('button', { name: 'Copy URL' })).toBeVisible();

  await page.getByLabel('Name').fill(`${name} (renamed)`);
  await page.getByLabel('Active').uncheck();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/notice=saved/);
  await expect(page.getByRole('status')).toHaveText('Changes saved.');
  const row = page.getByRole('row', { name: new RegExp(`${name} \\(renamed\\)`) });
  await expect(row).toContainText('Inactive');

  await row.getByRole('link').click();
  await hydrated(page);
  const deleteButton = page.getByRole('button', { name: 'Delete', exact: true });
  await deleteButton.click();
  const dialog = page.getByRole('dialog', { name: 'Delete this webhook?' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();

  await deleteButton.click();
  await dialog.getByRole('button', { name: 'Delete webhook' }).click();
  await expect(page).toHaveURL(/notice=deleted/);
  await expect(page.getByRole('status')).toHaveText('Webhook deleted.');
  await expect(page.getByRole('row', { name: new RegExp(`${name} \\(renamed\\)`) })).toHaveCount(0);
});

test('fields are checked as the user types, with the API\'s words', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.goto('/webhooks/new');
  await hydrated(page);
  await page.getByLabel('Name').fill('n'.repeat(141));
  await expect(page.locator('#name-error')).toHaveText('Ensure this field has no more than 140 characters.');
  await page.getByLabel('Name').fill('n'.repeat(140));
  await expect(page.locator('#name-error')).toHaveText('');
  await page.getByLabel('Description').fill('d'.repeat(1025));
  await page.getByLabel('Description').blur();
  await expect(page.locator('#description-error')).toHaveText('Ensure this field has no more than 1024 characters.');
});

test('a missing webhook is a proper not-found page', async ({ page, consoleProblems }) => {
  await signIn(page, ACCOUNTS.admin);
  const response = await page.goto('/webhooks/999999');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  allowStatus(consoleProblems, 404);
});

test('pagination: pages, page numbers and page size live in the URL', async ({ page }) => {
  await signIn(page, ACCOUNTS.pages);
  await page.goto('/webhooks?page_size=10');
  await hydrated(page);
  await expect(page.getByText(`${PAGED_WEBHOOKS} webhooks`)).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(11);
  await expect(page.getByRole('row', { name: /Paged hook 01/ })).toBeVisible();

  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2&page_size=10/);
  await expect(page.getByRole('row', { name: /Paged hook 11/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Page 2' })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('link', { name: 'Page 3' }).click();
  await expect(page).toHaveURL(/page=3&page_size=10/);
  await expect(page.getByRole('row')).toHaveCount(PAGED_WEBHOOKS - 20 + 1);

  await page.reload();
  await expect(page.getByRole('row', { name: /Paged hook 21/ })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/page=2&page_size=10/);
  // Pages are not stored (no-store): going back loads and hydrates again.
  await hydrated(page);

  await page.getByLabel('Per page').selectOption('25');
  await expect(page).toHaveURL(/page_size=25/);
  await expect(page.getByRole('row')).toHaveCount(26);
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
