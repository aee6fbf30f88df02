// A webhook's history on its page, and the organization's activity.
import { ACCOUNTS, GOOD_URL } from './accounts';
import { createWebhook, expect, hydrated, signIn, test } from './fixtures';

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
