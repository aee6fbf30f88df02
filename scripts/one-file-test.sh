#!/usr/bin/env bash
# The release binary is all a deployment needs: copied alone into an empty
# directory and started there with only DATABASE_URL, it serves a page, its
# JavaScript, WASM and CSS (long-lived caching, brotli), and its icon.
#   scripts/one-file-test.sh [BINARY]
set -euo pipefail

binary=$(realpath "${1:-target/release/webhook-admin}")
work=$(mktemp -d)
server=
cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "one-file test: $*" >&2; exit 1; }

mkdir "$work/deploy"
cp "$binary" "$work/deploy/webhook-admin"
cd "$work/deploy"
env -i PATH=/usr/bin:/bin DATABASE_URL="sqlite://$work/deploy/data.db" LEPTOS_SITE_ADDR=127.0.0.1:0 \
    ./webhook-admin serve >"$work/stdout" 2>"$work/stderr" &
server=$!
for _ in $(seq 300); do
    grep -q "listening on http://" "$work/stderr" && break
    kill -0 "$server" 2>/dev/null || fail "the server exited: $(cat "$work/stderr")"
    sleep 0.1
done
base=$(grep -o "listening on http://[^ ]*" "$work/stderr" | head -1 | sed 's/listening on //')
[[ -n $base ]] || fail "the server did not start: $(cat "$work/stderr")"

page=$(curl -sf "$base/login") || fail "GET /login failed"
grep -q "<form" <<<"$page" || fail "/login has no form"
for kind in js wasm css; do
    address=$(grep -o "/pkg/[0-9a-f]\{16\}/webhook-admin\.$kind" <<<"$page" | head -1)
    [[ -n $address ]] || fail "the page names no versioned .$kind file"
    headers=$(curl -sf -D - -o "$work/file.$kind" "$base$address") || fail "GET $address failed"
    grep -qi "^cache-control: public, max-age=31536000, immutable" <<<"$headers" \
        || fail "$address is not cached for good: $headers"
    size=$(stat -c %s "$work/file.$kind")
    [[ $size -gt 0 ]] || fail "$address is empty"
    brotli=$(curl -sf -H "Accept-Encoding: br" -D - -o /dev/null "$base$address")
    grep -qi "^content-encoding: br" <<<"$brotli" || fail "$address has no brotli variant"
    echo "$address: $size bytes"
done
[[ $(head -c 4 "$work/file.wasm" | od -An -tx1 | tr -d ' ') == 0061736d ]] || fail "the WASM file is not WebAssembly"
grep -qi "^content-type: application/wasm" <(curl -sf -D - -o /dev/null "$base$(grep -o "/pkg/[0-9a-f]\{16\}/webhook-admin\.wasm" <<<"$page" | head -1)") \
    || fail "the WASM file is not served as application/wasm"
curl -sf -o /dev/null "$base/favicon.svg" || fail "GET /favicon.svg failed"
extra=$(ls -A "$work/deploy" | grep -v '^webhook-admin$\|^data\.db' || true)
[[ -z $extra ]] || fail "the server wrote files beside itself: $extra"
echo "one-file test: passed ($(stat -c %s "$binary") bytes)"
