#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-cluster.sh install      install Debian's postgresql if initdb is missing
#   scripts/pg-cluster.sh start DIR    create DIR, start a cluster on a free loopback port and
#                                      print its URL (postgres://bugzot@127.0.0.1:PORT/bugzot)
#                                      as the only line on stdout
#   scripts/pg-cluster.sh stop DIR     stop that cluster at once and remove DIR
#
# Everything but the URL goes to stderr, so `url=$(scripts/pg-cluster.sh start "$dir")` works.
# The cluster trusts every local connection and runs with fsync off (its data is thrown
# away); set PG_CLUSTER_DURABLE=1 to keep PostgreSQL's default durability (benchmarks).
# DIR's parent folders must be traversable by the postgres user (mktemp -d is fine).
set -euo pipefail

log() { echo "pg-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# The newest installed server's bin folder, or nothing.
find_bindir() {
  local d found=""
  while read -r d; do
    if [ -x "$d/initdb" ]; then found=$d; fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  echo "$found"
}

ensure_installed() {
  [ -n "$(find_bindir)" ] && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL server is not installed and we are not root: apt-get install postgresql"
  log "installing PostgreSQL from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  [ -n "$(find_bindir)" ] || die "initdb still missing after installing postgresql"
}

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 bin port opts attempt
  ensure_installed
  bin=$(find_bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/data" ] && die "$dir/data already exists"
  touch "$dir/.bugzot-pg-cluster"   # lets `stop` check that DIR is ours before removing it
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  as_pg test -w "$dir" || die "the postgres user cannot write to $dir (check its parent folders)"

  as_pg "$bin/initdb" -D "$dir/data" -U bugzot --auth=trust -E UTF8 --locale=C --no-sync >&2

  # Every Swift test opens a pool of its own, and many run at once: room for all of them.
  opts="-c listen_addresses=127.0.0.1 -c max_connections=400"
  if [ "${PG_CLUSTER_DURABLE:-0}" != 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # A port picked free can be taken before the server binds it: try a few.
  for attempt in 1 2 3; do
    port=$(free_port)
    # -l sends the server's output to a file, so it never holds our stdout open.
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir $opts" start >&2; then
      as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U bugzot bugzot >&2
      log "started in $dir (log: $dir/server.log)"
      echo "postgres://bugzot@127.0.0.1:$port/bugzot"
      return 0
    fi
    log "start on port $port failed (attempt $attempt); server log:"
    tail -n 20 "$dir/server.log" >&2 || true
  done
  die "could not start PostgreSQL in $dir"
}

stop() {
  local dir=$1 bin
  [ -d "$dir" ] || { log "$dir does not exist; nothing to stop"; return 0; }
  [ -e "$dir/.bugzot-pg-cluster" ] || die "$dir was not made by pg-cluster.sh start; not removing it"
  bin=$(find_bindir)
  if [ -n "$bin" ] && [ -e "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || log "pg_ctl stop failed"
  fi
  rm -rf "$dir"
}

case "${1:-} ${2:+dir}" in
  "install ") ensure_installed ;;
  "start dir") start "$2" ;;
  "stop dir") stop "$2" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
