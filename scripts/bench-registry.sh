#!/bin/sh
# Registry server throughput: `quench bench registry` (reads and registrations from concurrent clients, and wrk
# when installed) on SQLite, then on a throwaway PostgreSQL cluster on loopback (Debian's postgresql, default
# durability settings; as the postgres OS user when run as root). Run after `swift build -c release`.
# Usage: scripts/bench-registry.sh [more quench bench registry options, e.g. --json]
set -eu
QUENCH=$(realpath "${QUENCH:-.build/release/quench}")  # the benchmark starts its server from this executable

echo "== SQLite (the server's home)"
"$QUENCH" bench registry "$@"

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "== PostgreSQL: not installed (make setup installs postgresql), skipped"
    exit 0
fi
DIR=$(mktemp -d /tmp/quench-bench-registry-pg.XXXXXX)
chmod 755 "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AS_OWNER=""
if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
    chown postgres:postgres "$DIR"
    AS_OWNER="setpriv --reuid postgres --regid postgres --init-groups --"
fi
PGPID=""
cleanup() {
    if [ -n "$PGPID" ]; then kill -QUIT "$PGPID" 2>/dev/null || true; wait "$PGPID" 2>/dev/null || true; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

$AS_OWNER "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C \
    --no-instructions > "$DIR/initdb.log"
printf "\nport = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 60\n" \
    "$PORT" "$DIR" >> "$DIR/data/postgresql.conf"
$AS_OWNER "$PGBIN/postgres" -D "$DIR/data" > "$DIR/postgres.log" 2>&1 &
PGPID=$!
tries=0
until [ -S "$DIR/.s.PGSQL.$PORT" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then echo "PostgreSQL did not start:"; cat "$DIR/postgres.log"; exit 1; fi
    sleep 0.1
done
# The password goes to a 0600 file and to psql's standard input (printf is a shell builtin), never to argv.
PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
umask 077
printf '%s\n' "$PASSWORD" > "$DIR/password"
printf "CREATE ROLE quench_registry LOGIN PASSWORD '%s';\nCREATE DATABASE registry OWNER quench_registry;\n" "$PASSWORD" \
    | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres -f -

echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (throwaway cluster on 127.0.0.1:$PORT)"
"$QUENCH" bench registry --database "postgres://quench_registry@127.0.0.1:$PORT/registry" \
    --database-password-file "$DIR/password" "$@"
