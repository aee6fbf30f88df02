// The webhook list with JavaScript: search as you type, filter, sort,
// and act on the selected rows (bulk delete names them first).
import { ACCOUNTS } from './accounts';
import { expect, hydrated, signIn, test } from './fixtures';

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
