import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { PROFILE, SERVER_BIN } from './server-binary';

// One server on a throwaway database for the whole run, started by
// Playwright on a port of its own (so a `make run` server is left alone).
const port = process.env.E2E_PORT ?? '3107';
// Test messages go to a fake Slack (fake-slack.js), never to Slack.
const slackPort = process.env.FAKE_SLACK_PORT ?? '3108';
if (!process.env.DATABASE_URL) {
  // First evaluation, in the runner (workers inherit the variable set below):
  // start every run from an empty database.
  const dir = path.resolve(__dirname, '../target/e2e');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  process.env.DATABASE_URL = `sqlite://${path.join(dir, 'e2e.db')}`;
}
const databaseUrl = process.env.DATABASE_URL;
// The release binary carries its site: run it from an empty directory, as
// deployed. A debug build reads target/site.
const runDir = path.resolve(__dirname, '../target/e2e/run');
fs.mkdirSync(runDir, { recursive: true });
const siteEnv: Record<string, string> =
  PROFILE === 'release' ? {} : { LEPTOS_SITE_ROOT: path.resolve(__dirname, '../target/site') };

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  globalSetup: './global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'javascript', use: { javaScriptEnabled: true }, testIgnore: /no-js\.spec/ },
    { name: 'no-javascript', use: { javaScriptEnabled: false }, testMatch: /no-js\.spec/ },
  ],
  webServer: [
    {
      command: 'node fake-slack.js',
      url: `http://127.0.0.1:${slackPort}/`,
      reuseExistingServer: false,
      env: { FAKE_SLACK_PORT: slackPort },
    },
    {
      command: `${SERVER_BIN} serve`,
      cwd: runDir,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        DATABASE_URL: databaseUrl,
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        SLACK_BASE_URL: `http://127.0.0.1:${slackPort}`,
        // As behind a proxy: a test may speak for another client with X-Forwarded-For.
        TRUSTED_PROXIES: '127.0.0.1',
        ...siteEnv,
        RUST_LOG: 'warn',
      },
    },
  ],
});
