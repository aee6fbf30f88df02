export const ACCOUNTS = {
  admin: { email: 'admin@e2e.test', password: 'admin-pass-1', org: 'e2e', superuser: true },
  member: { email: 'member@e2e.test', password: 'member-pass-1', org: 'e2e', superuser: false },
  flagOff: { email: 'off@e2e.test', password: 'off-pass-1234', org: 'e2e-off', superuser: true },
  pages: { email: 'pages@e2e.test', password: 'pages-pass-1', org: 'e2e-pages', superuser: true },
  nojs: { email: 'nojs@e2e.test', password: 'nojs-pass-1234', org: 'e2e', superuser: true },
  changer: { email: 'changer@e2e.test', password: 'changer-pass-1', org: 'e2e', superuser: true },
  nojsChanger: { email: 'nojs-changer@e2e.test', password: 'nojs-changer-1', org: 'e2e', superuser: true },
  searcher: { email: 'searcher@e2e.test', password: 'searcher-pass-1', org: 'e2e-search', superuser: true },
  nojsSearcher: { email: 'nojs-searcher@e2e.test', password: 'nojs-search-1', org: 'e2e-search-nojs', superuser: true },
  known: { email: 'known@e2e.test', password: 'known-pass-123', org: 'e2e', superuser: true },
  deliverer: { email: 'deliverer@e2e.test', password: 'deliverer-pass-1', org: 'e2e-deliveries', superuser: true },
  redeliverer: { email: 'redeliverer@e2e.test', password: 'redeliverer-1', org: 'e2e-redeliveries', superuser: true },
  nojsRedeliverer: { email: 'nojs-redeliverer@e2e.test', password: 'nojs-redeliver-1', org: 'e2e-redeliveries-nojs', superuser: true },
  releaser: { email: 'releaser@e2e.test', password: 'releaser-pass-1', org: 'e2e-held', superuser: true },
  nojsReleaser: { email: 'nojs-releaser@e2e.test', password: 'nojs-release-1', org: 'e2e-held-nojs', superuser: true },
  subscriber: { email: 'subscriber@e2e.test', password: 'subscriber-pass-1', org: 'e2e-subscriptions', superuser: true },
  nojsSubscriber: { email: 'nojs-subscriber@e2e.test', password: 'nojs-subscribe-1', org: 'e2e-subscriptions-nojs', superuser: true },
};

/** The webhooks each searcher's organization starts with: [name, description, active]. */
export const SEARCH_WEBHOOKS: [string, string, boolean][] = [
  ['Ops alerts', '', true],
  ['Billing', 'Invoices for OPS', false],
  ['Zebra', '', true],
  ['alpha', '', false],
];

/** A Slack URL whose first message the fake Slack refuses (400 `invalid_payload`), unique per call. */
export function refuseOnceUrl(): string {
  return `https://hooks.slack.com/services/refuse-once/B00000000/${uniqueTail()}`;
}

function uniqueTail(): string {
  return `${Date.now()}${Math.floor(Math.random() * 1e6)}`.padStart(24, '0').slice(-24);
}

/** A Slack URL the fake Slack accepts and records the messages of, unique per call. */
export function recordedUrl(): string {
  return `https://hooks.slack.com/services/T00000000/B00000000/${uniqueTail()}`;
}

/**
 * A Slack URL whose posts the fake Slack leaves unanswered until cued, then
 * refuses (410 `channel_is_archived`), unique per call.
 */
export function archivedOnCueUrl(): string {
  return `https://hooks.slack.com/services/archived-on-cue/B00000000/${uniqueTail()}`;
}

/** A Slack URL the fake Slack refuses (404 `no_service`). */
export const GONE_URL = 'https://hooks.slack.com/services/gone/B00000000/XXXXXXXXXXXXXXXXXXXXdead';

export type Account = (typeof ACCOUNTS)[keyof typeof ACCOUNTS];

/** Webhooks of the `pages` account: three pages of 10. */
export const PAGED_WEBHOOKS = 27;

export const GOOD_URL = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXabcd';
export const INVALID_URL_MESSAGE =
  'Enter a valid Slack webhook URL (https://hooks.slack.com/services/... or https://hooks.slack-gov.com/services/...).';
