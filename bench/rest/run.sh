#!/usr/bin/env bash
# REST benchmark of a release build of BugZot, everything on loopback, stopping by itself
# (about 6 minutes for both databases with the defaults, after the build).
#
# On SQLite and on a throwaway PostgreSQL cluster (scripts/pg-cluster.sh, durable settings) it
# seeds 10,000 bugs, then runs wrk (installed from Debian if missing) for 10 s per endpoint at
# 1, 16 and 64 connections: GET /rest/version (this run's ceiling), GET /rest/bug/ID with an
# API key, the list page GET /rest/bug?product=Widget&resolution=---&limit=25&order=changeddate
# DESC, POST /rest/bug (into a product of its own, so that the list keeps its 10,000 bugs) and
# PUT /rest/bug/ID (status + comment, NEW <-> ASSIGNED, each connection count on bugs of its
# own). It prints per endpoint requests/s, p50/p99 latency, server CPU ms per request (utime +
# stime from /proc, PostgreSQL's processes added on PostgreSQL), SQL statements per request
# (the server's request log), each beside the same run's GET /rest/version; then PostgreSQL
# beside SQLite and issue 10's targets. Only ratios within one run mean much: the machine is
# shared and noisy.
#
#   bench/rest/run.sh [--db sqlite|pg|both] [--bugs N] [--seconds S] [--connections 1,16,64]
#                     [--bin PATH]
#     --db           which database(s) (default both)
#     --bugs         bugs to seed (default 10000)
#     --seconds      length of each wrk run (default 10)
#     --connections  comma-separated connection counts (default 1,16,64)
#     --bin          measure this bugzot binary instead of building `swift build -c release`
# Tables go to stdout, progress to stderr. Temporary data and servers are removed on exit.
set -euo pipefail
exec python3 "$(dirname "$0")/bench.py" "$@"
