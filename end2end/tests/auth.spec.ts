import { ACCOUNTS } from './accounts';
import { allowStatus, expect, hydrated, signIn, test } from './fixtures';

test('signed-out visitors are sent to the sign-in page', async ({ page }) => {
  await page.goto('/webhooks');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('sign in and sign out', async ({ page }) => {
  await signIn(page, ACCOUNTS.admin);
  await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
  await expect(page.getByText(ACCOUNTS.admin.email)).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/webhooks');
  await expect(page).toHaveURL(/\/login$/);
});

test('a wrong password gets one generic message', async ({ page, consoleProblems }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(ACCOUNTS.admin.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel('Email').fill('nobody@e2e.test');
  await page.getByLabel('Password').fill('whatever');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  allowStatus(consoleProblems, 401);
});

test('repeated failures are slowed down with a 429', async ({ page, request }) => {
  await page.goto('/login');
  const email = `throttled-${Date.now()}@e2e.test`;
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(`guess-${i}`);
    const answered = page.waitForResponse((r) => r.url().includes('/api/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await answered;
    await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  }
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('guess-6');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ seconds\.$/);

  // A script on the site's own pages (not a plain form) gets the status itself.
  const action = (await page.locator('form.form').getAttribute('action'))!;
  const origin = new URL(page.url()).origin;
  const refused = await request.post(action, { form: { email, password: 'guess-7' }, headers: { Origin: origin } });
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
});

test('a browser that signed in before is not locked out by guesses from its address', async ({ browser }) => {
  const account = ACCOUNTS.known;
  // Two browsers behind one office address, as the proxy in front says.
  const office = { extraHTTPHeaders: { 'X-Forwarded-For': '198.51.100.77' } };
  const mine = await browser.newContext(office);
  const myPage = await mine.newPage();
  await signIn(myPage, account);
  await myPage.getByRole('button', { name: 'Sign out' }).click();
  await expect(myPage).toHaveURL(/\/login$/);

  const theirs = await browser.newContext(office);
  const theirPage = await theirs.newPage();
  await theirPage.goto('/login');
  for (let i = 0; i < 5; i++) {
    await theirPage.getByLabel('Email').fill(account.email);
    await theirPage.getByLabel('Password').fill(`guess-${i}`);
    await theirPage.getByRole('button', { name: 'Sign in' }).click();
    await expect(theirPage.getByRole('alert')).toHaveText('Wrong email or password.');
  }
  // The guesser's browser is held up, even with the right password...
  await theirPage.getByLabel('Email').fill(account.email);
  await theirPage.getByLabel('Password').fill(account.password);
  await theirPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(theirPage.getByRole('alert')).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ seconds\.$/);
  // ...the user's own is not.
  await signIn(myPage, account);
  await expect(myPage.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible();
  await mine.close();
  await theirs.close();
});

test('a user who is not a super user gets a clear page', async ({ page, consoleProblems }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ACCOUNTS.member.email);
  await page.getByLabel('Password').fill(ACCOUNTS.member.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('You need super user rights to manage webhooks.')).toBeVisible();
  const response = await page.goto('/webhooks/new');
  expect(response?.status()).toBe(403);
  await expect(page.getByText('You need super user rights to manage webhooks.')).toBeVisible();
  allowStatus(consoleProblems, 403);
});

test('an organization without the Webhooks feature gets a clear page', async ({ page, consoleProblems }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ACCOUNTS.flagOff.email);
  await page.getByLabel('Password').fill(ACCOUNTS.flagOff.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('The Webhooks feature is not enabled for your organization.')).toBeVisible();
  const response = await page.goto('/webhooks');
  expect(response?.status()).toBe(403);
  allowStatus(consoleProblems, 403);
});
