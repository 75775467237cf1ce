#!/usr/bin/env bash
# Attachment streaming benchmark: upload then download one large file (default 1 GiB) through
# BugZot's streaming endpoints on a release build, and print throughput and the server's
# resident memory before and at its peak during each transfer (goal: growth under 64 MiB
# whatever the file size). Everything runs on loopback and stops by itself.
#
#   bench/attachments/run.sh                   SQLite and files under a temporary data folder
#   BENCH_MIB=256 bench/attachments/run.sh     a smaller file
set -euo pipefail
cd "$(dirname "$0")/../.."
mib=${BENCH_MIB:-1024}

command -v curl >/dev/null || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y curl >&2; }
swift build -c release --product bugzot >&2
bin=$(swift build -c release --show-bin-path)/bugzot

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data=(--data-dir "$work/data")
echo "bench-password" | "$bin" user create --login admin@example.com --admin "${data[@]}" >&2
key=$("$bin" apikey create --login admin@example.com "${data[@]}" | tail -n 1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$bin" serve --port "$port" --max-attachment-bytes $((mib * 1024 * 1024 + 1)) "${data[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do curl -fsS "$base/rest/version" >/dev/null 2>&1 && break; sleep 0.2; done

rest() { curl -fsS -H 'Content-Type: application/json' "$@"; }
rest -X POST "$base/rest/product?Bugzilla_api_key=$key" -d '{"name":"Widget","description":"d","version":"1.0"}' >/dev/null
rest -X POST "$base/rest/component?Bugzilla_api_key=$key" \
  -d '{"product":"Widget","name":"Backend","description":"d","default_assignee":"admin@example.com"}' >/dev/null
bug=$(rest -X POST "$base/rest/bug?Bugzilla_api_key=$key" \
  -d '{"product":"Widget","component":"Backend","version":"1.0","summary":"Big dump"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "writing a $mib MiB file" >&2
head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/dump.bin"

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }  # KiB
# Samples the server's RSS every 50 ms while COMMAND runs; prints the peak in KiB.
peak_during() {
  local peak_file=$work/peak
  echo 0 >"$peak_file"
  ( while :; do r=$(rss); [ "$r" -gt "$(cat "$peak_file")" ] && echo "$r" >"$peak_file"; sleep 0.05; done ) &
  local sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  cat "$peak_file"
}

before=$(rss)
start=$(date +%s.%N)
upload_peak=$(peak_during curl -fsS -o "$work/upload.json" -X POST -T "$work/dump.bin" -H 'Content-Type: application/octet-stream' \
  "$base/api/bugs/$bug/attachments?file_name=dump.bin&summary=Dump&Bugzilla_api_key=$key")
upload_seconds=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
attachment=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")

start=$(date +%s.%N)
download_peak=$(peak_during curl -fsS -o "$work/back.bin" "$base/attachments/$attachment/dump.bin?Bugzilla_api_key=$key")
download_seconds=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
cmp -s "$work/dump.bin" "$work/back.bin" || { echo "the downloaded file differs from the upload" >&2; exit 1; }

echo
echo "BugZot attachment streaming, release build, SQLite + files, one $mib MiB file"
printf '%-10s %12s %14s %16s %14s\n' transfer "MiB/s" "RSS before" "RSS peak" "growth"
for row in "upload|$upload_seconds|$upload_peak" "download|$download_seconds|$download_peak"; do
  IFS='|' read -r name seconds peak <<<"$row"
  printf '%-10s %12.1f %11d MiB %13d MiB %10d MiB\n' "$name" "$(awk -v m="$mib" -v s="$seconds" 'BEGIN { print m / s }')" \
    $((before / 1024)) $((peak / 1024)) $(((peak - before) / 1024))
done
