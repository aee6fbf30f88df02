// Changing one's own password: mistakes explained, the other sessions
// signed out, this one kept.
import AxeBuilder from '@axe-core/playwright';
import { ACCOUNTS } from './accounts';
import { expect, signIn, test } from './fixtures';

const NEW_PASSWORD = 'changed-password-42';

test('change password: mistakes, then success signs the other sessions out', async ({ page, browser }) => {
  const account = ACCOUNTS.changer;
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, account);
  await signIn(page, account);

  await page.getByRole('link', { name: 'Password' }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  const axe = async (what: string) => {
    const results = await new AxeBuilder({ page }).options({ preload: false }).analyze();
    expect(results.violations.map((v) => `${what}: ${v.id} ${v.help}`)).toEqual([]);
  };
  await axe('password form');

  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('Your current password is not right.');
  await axe('password form with an error');

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill('something-else-42');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two new passwords differ.');

  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  // Ticked as the form comes: the API tokens go with the old password.
  await expect(page.getByLabel('Also revoke my API tokens')).toBeChecked();
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText(
    'Password changed. Your other sessions have been signed out and your API tokens revoked.',
  );

  // This session goes on; the other one has ended.
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
  await otherPage.goto('/webhooks');
  await expect(otherPage).toHaveURL(/\/login$/);
  await signIn(otherPage, { ...account, password: NEW_PASSWORD });
  await expect(otherPage.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
  await other.close();
});
