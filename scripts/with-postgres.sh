#!/usr/bin/env bash
# Runs a command with PAYDESK_TEST_DATABASE_URL pointing at a PostgreSQL server.
#
# With PAYDESK_TEST_DATABASE_URL already set, that server is used as it is. Otherwise a throwaway
# cluster is made in a temporary directory (Debian's `postgresql` package, installed when missing
# and this runs as root), started on a free loopback port as an unprivileged user (`postgres` when
# run as root), and stopped and deleted when the command ends, whatever its outcome. Its commits
# skip fsync unless PAYDESK_PG_DURABLE=1.
#
#   scripts/with-postgres.sh cargo test -p paydesk --test integration
set -euo pipefail

if [ -n "${PAYDESK_TEST_DATABASE_URL:-}" ]; then
    exec "$@"
fi

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(pg_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing PostgreSQL (Debian's postgresql package)…" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bin="$(pg_bin)"
    else
        echo "PostgreSQL is not installed: sudo apt-get install postgresql (or set PAYDESK_TEST_DATABASE_URL)" >&2
        exit 1
    fi
fi

# Who runs the server: never root (PostgreSQL refuses it).
if [ "$(id -u)" = 0 ]; then
    as_owner() { runuser -u postgres -- "$@"; }
    owner=postgres
else
    as_owner() { "$@"; }
    owner="$(id -un)"
fi

dir="$(mktemp -d /tmp/paydesk-pg.XXXXXX)"
chown "$owner" "$dir"
chmod 700 "$dir"

stop() {
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

# A free port: ask the kernel for one.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

as_owner "$bin/initdb" -D "$dir/data" -U paydesk -A trust -E UTF8 --no-locale >/dev/null
# The tests check paydesk's guarantees, not the disk's: no fsync in this throwaway cluster, unless
# PAYDESK_PG_DURABLE=1 (the benchmark: commits reach the disk, as SQLite's do, so figures compare).
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${PAYDESK_PG_DURABLE:-}" = 1 ]; then durability=""; fi
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 $durability" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export PAYDESK_TEST_DATABASE_URL="postgres://paydesk@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port (throwaway, $dir)" >&2
"$@"
