#!/usr/bin/env bash
# REST benchmark of a release build of BugZot, all on loopback, in one bounded run (~2 min
# after the build): seed 10,000 bugs, then wrk -t2 -c16 -d10s on four endpoints, and print
# each one's requests/s and p99 latency next to the GET /rest/version ceiling of this run.
#
#   bench/rest/run.sh                      SQLite in a temporary data folder
#   bench/rest/run.sh --pg                 a throwaway PostgreSQL cluster (scripts/pg-cluster.sh)
#   bench/rest/run.sh --database-url URL   a fresh database created on that PostgreSQL server
# BENCH_BUGS=N seeds N bugs instead of 10,000.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/rest
bugs=${BENCH_BUGS:-10000}  # how many bugs to seed
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost  # Python's urllib reads these

usage() { echo "usage: $0 [--pg | --database-url URL]" >&2; exit 2; }
pg_server="" use_pg=0
while [ $# -gt 0 ]; do
  case $1 in
    --pg) use_pg=1; shift ;;
    --database-url) [ $# -ge 2 ] || usage; pg_server=$2; shift 2 ;;
    --database-url=*) pg_server=${1#*=}; shift ;;
    *) usage ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian" >&2
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2
fi

swift build -c release --product bugzot >&2
bin=$(swift build -c release --show-bin-path)/bugzot

work=$(mktemp -d)
server_pid="" db_url="" bench_db="" pg_dir=""
cleanup() {
  local rc=$?
  if [ "$rc" != 0 ] && [ -f "$work/server.log" ]; then
    echo "--- end of the server's log ---" >&2; tail -n 40 "$work/server.log" >&2
  fi
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true  # still there after 20 s
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$bench_db" ]; then psql "$pg_server" -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >&2 || true; fi
  if [ -n "$pg_dir" ]; then bash scripts/pg-cluster.sh stop "$pg_dir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$use_pg" = 1 ]; then
  pg_dir=$(mktemp -d)  # not under $work: the postgres user must be able to reach it
  db_url=$(PG_CLUSTER_DURABLE=1 bash scripts/pg-cluster.sh start "$pg_dir")
elif [ -n "$pg_server" ]; then
  # A database of our own on the given server, so every run starts empty.
  bench_db="bench_$(date +%s)_$$"
  psql "$pg_server" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $bench_db" >&2
  db_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_server" "$bench_db")
fi
mkdir "$work/data"
storage=(--data-dir "$work/data")
[ -z "$db_url" ] || storage+=(--database-url "$db_url")

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$bin" serve --host 127.0.0.1 --port "$port" "${storage[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 60))
until python3 -c 'import sys, urllib.request as r; r.urlopen(sys.argv[1], timeout=1)' "$base/rest/version" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "the server did not come up" >&2; exit 1
  fi
  sleep 0.2
done

echo "bench-password" | "$bin" user create --login admin@example.com --name Admin --admin "${storage[@]}" >&2
key=$("$bin" apikey create --login admin@example.com --description bench "${storage[@]}" | tail -n 1)
bug_id=$(timeout 600 python3 "$here/seed.py" "$base" "$key" "$bugs")

auth="Bugzilla_api_key=$key"
endpoints=(
  "GET /rest/version|$base/rest/version|"
  "GET /rest/bug/ID|$base/rest/bug/$bug_id?$auth|"
  "GET /rest/bug?product=Widget&limit=25|$base/rest/bug?product=Widget&limit=25&$auth|"
  "POST /rest/bug|$base/rest/bug?$auth|$here/post_bug.lua"
)
rows=()
for entry in "${endpoints[@]}"; do
  IFS='|' read -r name url script <<<"$entry"
  echo "wrk: $name" >&2
  out=$(timeout 60 wrk -t2 -c16 -d10s --latency ${script:+-s "$script"} "$url")
  echo "$out" >&2
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # Failed requests: non-2xx answers plus socket errors (connect, read, write, timeout).
  bad=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
             /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
             END {print n + 0}' <<<"$out")
  rows+=("$name|$rps|$p99|$bad")
done

ceiling=$(cut -d'|' -f2 <<<"${rows[0]}")
echo
echo "BugZot REST, release build, $([ -n "$db_url" ] && echo PostgreSQL || echo SQLite), $bugs bugs seeded, wrk -t2 -c16 -d10s"
printf '%-38s %12s %10s %12s %8s\n' endpoint requests/s p99 "vs version" errors
for row in "${rows[@]}"; do
  IFS='|' read -r name rps p99 bad <<<"$row"
  ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '%-38s %12s %10s %12s %8s\n' "$name" "$rps" "$p99" "$ratio" "$bad"
done
