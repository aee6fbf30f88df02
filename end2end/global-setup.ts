// Seeds the accounts the tests sign in with, through the admin CLI.
import { execFileSync } from 'child_process';
import { SERVER_BIN as bin } from './server-binary';
import { ACCOUNTS, GOOD_URL, PAGED_WEBHOOKS, SEARCH_WEBHOOKS } from './tests/accounts';

function cli(args: string[], input = ''): string {
  return execFileSync(bin, args, { input, env: { ...process.env, RUST_LOG: 'warn' } }).toString();
}

/** Runs a CLI command that may already have been done by an earlier run. */
function once(args: string[], input = ''): void {
  try {
    cli(args, input);
  } catch (e: any) {
    const stderr = String(e.stderr ?? '');
    if (!stderr.includes('already exists')) throw e;
  }
}

export default async function globalSetup(): Promise<void> {
  cli(['migrate']);
  const orgs = new Set(Object.values(ACCOUNTS).map((account) => account.org));
  orgs.delete('e2e-off');
  for (const org of orgs) {
    once(['org', 'create', org, '--webhooks']);
  }
  once(['org', 'create', 'e2e-off']);
  for (const account of Object.values(ACCOUNTS)) {
    const args = ['user', 'create', account.email, '--org', account.org, '--password-stdin'];
    if (account.superuser) args.push('--superuser');
    once(args, account.password + '\n');
  }

  // More than one page of webhooks for the pagination tests, through the API.
  const paged = Array.from({ length: PAGED_WEBHOOKS }, (_, n) => ({
    name: `Paged hook ${String(n + 1).padStart(2, '0')}`,
    url: `https://hooks.slack.com/services/T0000/B0000/paged${n + 1}`,
  }));
  await seed(ACCOUNTS.pages.email, paged);
  // A few to search, sort and select, for each searcher.
  const searchable = SEARCH_WEBHOOKS.map(([name, description, active]) => ({
    name,
    description,
    active,
    url: GOOD_URL,
  }));
  await seed(ACCOUNTS.searcher.email, searchable);
  await seed(ACCOUNTS.nojsSearcher.email, searchable);
}

/** Creates the webhooks the user's organization does not have yet, in order. */
async function seed(email: string, webhooks: object[]): Promise<void> {
  const token = cli(['token', 'create', email]).trim();
  const base = `http://127.0.0.1:${process.env.E2E_PORT ?? '3107'}/api/v2/webhooks/`;
  const headers = { Authorization: `Token ${token}`, 'Content-Type': 'application/json' };
  const existing = await (await fetch(base, { headers })).json();
  for (const webhook of webhooks.slice(existing.count)) {
    const response = await fetch(base, { method: 'POST', headers, body: JSON.stringify(webhook) });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  cli(['token', 'revoke'], token);
}
