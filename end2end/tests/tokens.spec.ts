import { ACCOUNTS } from './accounts';
import { expect, hydrated, signIn, test } from './fixtures';

test('create a token, use it against the REST API, revoke it', async ({ page, request }) => {
  await signIn(page, ACCOUNTS.admin);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await hydrated(page);

  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.locator('#new-token').textContent())!.trim();
  expect(token).toMatch(/^[0-9a-f]{40}$/);
  await expect(page.getByRole('button', { name: 'Copy token' })).toBeVisible();

  const list = await request.get('/api/v2/webhooks/', { headers: { Authorization: `Token ${token}` } });
  expect(list.status()).toBe(200);

  // Shown once, in the response that made it: a later visit no longer has it.
  await page.goto('/tokens');
  await expect(page.locator('#new-token')).toHaveCount(0);

  await page.getByRole('button', { name: `Revoke token ${token.slice(0, 8)}…` }).click();
  await expect(page.getByRole('button', { name: `Revoke token ${token.slice(0, 8)}…` })).toHaveCount(0);
  const refused = await request.get('/api/v2/webhooks/', { headers: { Authorization: `Token ${token}` } });
  expect(refused.status()).toBe(401);
});
