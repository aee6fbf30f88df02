import AxeBuilder from '@axe-core/playwright';
import { ACCOUNTS } from './accounts';
import { allowStatus, expect, hydrated, signIn, test } from './fixtures';

async function expectNoViolations(page: import('@playwright/test').Page, what: string) {
  await hydrated(page);
  // No preloading of style sheets: axe would inject inline styles, which the
  // pages' Content-Security-Policy rightly refuses.
  const results = await new AxeBuilder({ page }).options({ preload: false }).analyze();
  expect(results.violations.map((v) => `${what}: ${v.id} ${v.help}`)).toEqual([]);
}

test('signed-out pages', async ({ page }) => {
  await page.goto('/');
  await expectNoViolations(page, 'home');
  await page.goto('/login');
  await expectNoViolations(page, 'login');
});

test('webhook and token pages', async ({ page, consoleProblems }) => {
  await signIn(page, ACCOUNTS.pages);
  await page.goto('/webhooks?page_size=10&page=2');
  await expectNoViolations(page, 'list');
  await page.goto('/webhooks/new');
  await expectNoViolations(page, 'new');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await expectNoViolations(page, 'new with errors');
  await page.goto('/webhooks?page_size=10');
  await page.getByRole('link', { name: 'Paged hook 01' }).click();
  await expectNoViolations(page, 'edit');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expectNoViolations(page, 'delete dialog');
  await page.goto('/tokens');
  await expectNoViolations(page, 'tokens');
  await page.goto('/webhooks/424242');
  await expectNoViolations(page, 'not found');
  allowStatus(consoleProblems, 404);
});

test('search, bulk delete, history and activity', async ({ page, consoleProblems }) => {
  await signIn(page, ACCOUNTS.pages);
  await page.goto('/webhooks?q=hook+0&sort=name&dir=desc');
  await expectNoViolations(page, 'search results');
  await page.getByRole('checkbox', { name: 'Select Paged hook 09' }).check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expectNoViolations(page, 'bulk delete dialog');
  const ids = await page
    .locator('table.webhooks tbody input[type=checkbox]')
    .evaluateAll((boxes) => boxes.slice(0, 2).map((box) => (box as HTMLInputElement).value));
  await page.goto(`/webhooks?confirm=delete&ids=${ids.join(',')}`);
  await expect(page.getByRole('alertdialog', { name: 'Delete 2 webhooks?' })).toBeVisible();
  await expectNoViolations(page, 'bulk delete question');
  await page.goto('/webhooks?q=no+such+hook');
  await expectNoViolations(page, 'no results');
  await page.goto('/webhooks?page_size=10');
  await page.getByRole('link', { name: 'Paged hook 02' }).click();
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expectNoViolations(page, 'edit with test notice and history');
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expectNoViolations(page, 'test refused');
  await page.goto('/activity');
  await expectNoViolations(page, 'activity');
  allowStatus(consoleProblems, 429);
});

test('no-access page', async ({ page, consoleProblems }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ACCOUNTS.member.email);
  await page.getByLabel('Password').fill(ACCOUNTS.member.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('You need super user rights to manage webhooks.')).toBeVisible();
  await expectNoViolations(page, 'no access');
  allowStatus(consoleProblems, 403);
});
