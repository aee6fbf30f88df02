// Reports the release client's size (JS + WASM + CSS, brotli) and fails
// above the budget (`make bench` reads its budget line from here too). Run
// after `cargo leptos build --release`.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const BUDGET_BYTES = 200 * 1000;
const pkg = path.resolve(__dirname, '../target/site/pkg');
let total = 0;
for (const file of ['webhook-admin.js', 'webhook-admin.wasm', 'webhook-admin.css']) {
  const raw = fs.readFileSync(path.join(pkg, file));
  const brotli = zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  total += brotli;
  console.log(`${file.padEnd(20)} ${String(raw.length).padStart(8)} bytes, ${String(brotli).padStart(7)} brotli`);
}
console.log(`release client: ${total} bytes brotli (budget ${BUDGET_BYTES})`);
if (total > BUDGET_BYTES) {
  console.error('the release client is over its size budget');
  process.exit(1);
}
