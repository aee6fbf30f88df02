#!/usr/bin/env bash
# Runs a command with PostgreSQL answering at TEST_POSTGRES_URL. When nothing
# answers there, starts a throwaway cluster under target/pgtest (installing
# Debian's postgresql package if it is missing), and stops and removes it
# when the command ends.
#   scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
authority=${url#*://}; authority=${authority#*@}; authority=${authority%%/*}
host=${authority%:*}; port=${authority##*:}
[[ $port == "$authority" ]] && port=5432

if pg_isready -h "$host" -p "$port" -q 2>/dev/null; then
    exec "$@"
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $bin ]]; then
    echo "with-postgres: installing PostgreSQL (Debian package postgresql)"
    sudo=; [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql postgresql-client >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

dir=$(realpath -m target/pgtest)
rm -rf "$dir" && mkdir -p "$dir"
# PostgreSQL refuses to run as root: as root, run it as the postgres user.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
stop() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

echo "with-postgres: nothing answers at $host:$port; starting a throwaway cluster in $dir"
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=$host -k $dir -c max_connections=300" start >/dev/null
"$@"
