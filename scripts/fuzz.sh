#!/usr/bin/env bash
# Schema fuzzing: starts the server on a throwaway database, then runs
# schemathesis against it with the committed OpenAPI document.
#   scripts/fuzz.sh EXAMPLES_PER_OPERATION sqlite|postgres [BINARY]
# PostgreSQL: a throwaway database on TEST_POSTGRES_URL's server, dropped after.
set -euo pipefail

examples=${1:?examples per operation}
backend=${2:?sqlite or postgres}
binary=${3:-target/release/webhook-admin}
venv=${VENV:-.tools/venv}
admin_url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
server=
database=
cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
    if [[ -n $database ]]; then psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)"; fi
    rm -rf "$work"
}
trap cleanup EXIT

case $backend in
    sqlite) url=sqlite://$work/fuzz.db ;;
    postgres)
        database=wa_fuzz_$$
        psql "$admin_url" -qc "CREATE DATABASE $database"
        url=${admin_url%/*}/$database ;;
    *) echo "backend must be sqlite or postgres"; exit 2 ;;
esac

"$venv/bin/openapi-spec-validator" docs/openapi.json

# Test messages go to a closed local port (refused at once), never to Slack.
DATABASE_URL=$url LEPTOS_SITE_ADDR=127.0.0.1:0 RUST_LOG=warn,webhook_admin::server::cli=info \
    SLACK_BASE_URL=http://127.0.0.1:9 \
    "$binary" serve >"$work/stdout" 2>"$work/stderr" &
server=$!
for _ in $(seq 600); do
    grep -q "listening on http://" "$work/stderr" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/stderr"; exit 1; }
    sleep 0.1
done
address=$(grep -o "listening on http://[^ ]*" "$work/stderr" | head -1 | sed 's/listening on //')
# Not on a terminal, the first start writes its admin to a file and says where.
secrets=$(sed -n 's/^Its password and an API token are in \(.*\) (readable by this user only)\.$/\1/p' "$work/stdout")
token=$(awk '/API token:/ {print $3; exit}' "${secrets:-/dev/null}")
[[ -n $address && -n $token ]] || { echo "the server did not start:"; cat "$work/stderr" "$work/stdout"; exit 1; }

echo "fuzzing $address ($backend) with up to $examples examples per operation"
status=0
"$venv/bin/st" run docs/openapi.json \
    --url "$address" \
    --header "Authorization: Token $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" \
    --phases examples,coverage,fuzzing,stateful \
    --generation-database none \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report ndjson --report-dir "$work/report" || status=$?

echo "requests sent (from the report): $(grep -o '"response": *{' "$work/report"/*.ndjson | wc -l)"
if grep -q " ERROR \|panicked" "$work/stderr"; then
    echo "the server logged errors:"; grep " ERROR \|panicked" "$work/stderr" | head -20
    status=1
fi
exit $status
