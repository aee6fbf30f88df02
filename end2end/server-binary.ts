// The server under test: the release build people deploy (`make release`),
// unless E2E_PROFILE says otherwise (`E2E_PROFILE=debug` after a debug
// `cargo leptos build`). The site in target/site is whichever was built last.
import * as path from 'path';

export const PROFILE = process.env.E2E_PROFILE ?? 'release';
export const SERVER_BIN = path.resolve(__dirname, '../target', PROFILE, 'webhook-admin');
