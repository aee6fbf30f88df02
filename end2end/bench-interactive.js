// Time from navigation to an interactive form, for `make bench`: signs in,
// then loads /webhooks/new in a fresh browser context (cold cache) N times
// and prints the times (ms) at which the page's islands had hydrated.
//   node end2end/bench-interactive.js BASE EMAIL PASSWORD N
const { chromium } = require('@playwright/test');

(async () => {
  const [base, email, password, runs] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const login = await browser.newContext();
  const page = await login.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/webhooks$/);
  const cookies = await login.cookies();
  await login.close();

  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const context = await browser.newContext();
    await context.addCookies(cookies);
    const form = await context.newPage();
    // The hydration marker sets this flag: note when, relative to navigation start.
    await form.addInitScript(() => {
      Object.defineProperty(window, '__webhookAdminHydrated', {
        configurable: true,
        get() { return window.__interactiveAt !== undefined; },
        set() { window.__interactiveAt = performance.now(); },
      });
    });
    await form.goto(`${base}/webhooks/new`);
    await form.waitForFunction(() => window.__interactiveAt !== undefined);
    times.push(await form.evaluate(() => window.__interactiveAt));
    await context.close();
  }
  await browser.close();
  console.log(JSON.stringify(times));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
