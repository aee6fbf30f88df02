// Every island of every page hydrates in the build under test (the release
// build by default). A panic while hydrating prints nothing in a release
// build, and the no-JavaScript fallbacks keep the pages usable, so each check
// is behaviour only a running island has.
import { Page } from '@playwright/test';
import { ACCOUNTS, INVALID_URL_MESSAGE } from './accounts';
import { createWebhook, expect, hydrated, signIn, test } from './fixtures';

/** Records the POST requests the page sends from now on. */
function posts(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') sent.push(request.url());
  });
  return sent;
}

test('sign-in page: the client runs', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
});

test('new webhook: a bad URL is reported when the field is left, before anything is sent', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.goto('/webhooks/new');
  const sent = posts(page);
  const url = page.getByLabel('Slack webhook URL');
  // Set without input events, so only the blur handler can report it.
  await url.evaluate((input: HTMLInputElement, value) => (input.value = value), 'http://hooks.slack.com/services/T0/B0/X');
  await url.focus();
  await url.blur();
  await expect(page.locator('#url-error')).toHaveText(INVALID_URL_MESSAGE);
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  expect(sent).toEqual([]);
  await hydrated(page);
});

test('edit webhook: the form checks, the delete dialog opens in place, the URL copies', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  const name = `Islands ${Date.now()}`;
  await createWebhook(page, name);
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name: `Edit “${name}”` })).toBeVisible();
  const editUrl = page.url();

  await page.getByLabel('Name').fill('');
  await page.getByLabel('Name').blur();
  await expect(page.locator('#name-error')).toHaveText('This field may not be blank.');

  // Without a running island the button loads `?confirm=delete` instead.
  await hydrated(page);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Delete this webhook?' })).toBeVisible();
  expect(page.url()).toBe(editUrl);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Delete this webhook?' })).toBeHidden();

  // Copy buttons stay hidden until their island runs.
  await page.getByRole('link', { name: 'Reveal URL' }).click();
  await expect(page.getByRole('button', { name: 'Copy URL' })).toBeVisible();
  await hydrated(page);
});

test('webhook list: choosing a page size loads it without pressing Show', async ({ page }) => {
  await signIn(page, ACCOUNTS.pages);
  await page.goto('/webhooks?page_size=25');
  await hydrated(page);
  await page.getByLabel('Per page').selectOption('10');
  await expect(page).toHaveURL(/[?&]page_size=10$/);
  await expect(page.getByRole('row')).toHaveCount(11);
});

test('tokens: a new token has a copy button', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.goto('/tokens');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.locator('#new-token')).toHaveText(/^[0-9a-f]{40}$/);
  await expect(page.getByRole('button', { name: 'Copy token' })).toBeVisible();
  await hydrated(page);
});

test('what is typed before the client arrives is checked when it does', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  // Hold the WASM back until the fields are filled in (routing also turns
  // off the HTTP cache, so the page cannot take it from there).
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  await page.route('**/pkg/**/*.wasm', async (route) => {
    await arrived;
    await route.continue();
  });
  await page.goto('/webhooks/new', { waitUntil: 'domcontentloaded' });
  await page.getByLabel('Name').fill('n'.repeat(141));
  await page.getByLabel('Slack webhook URL').fill('http://hooks.slack.com/services/T0/B0/X');
  await page.getByLabel('Description').focus();
  expect(await page.evaluate(() => (window as any).__webhookAdminHydrated)).toBeUndefined();
  await expect(page.locator('#url-error')).toHaveText('');

  arrive();
  await hydrated(page);
  await expect(page.locator('#url-error')).toHaveText(INVALID_URL_MESSAGE);
  await expect(page.locator('#name-error')).toHaveText('Ensure this field has no more than 140 characters.');
  // Untouched fields stay quiet.
  await expect(page.locator('#description-error')).toHaveText('');
});
