#!/usr/bin/env bash
# Scale benchmark of a release build of BugZot, everything on loopback, stopping by itself
# (about 17 minutes for both databases at 1 M bugs, seeding 4-5 minutes of each, after the build).
#
# On SQLite and on a throwaway PostgreSQL cluster (scripts/pg-cluster.sh, durable settings):
# `bugzot seed --bugs N` fills an empty database, a server starts on it (no job worker,
# --expose-sql-statements), the queries' parameters are read off the seeded data through /rest
# (the product with the most bugs, its busiest assignee), updates and POSTs go to a product of
# their own, and wrk (installed from Debian if missing) runs each query at
# 1 and at 16 connections: open bugs of a product by last change, my bugs (the busiest
# assignee, with their own API key), a word in comments, a phrase, a mixed quicksearch,
# component + status, counts by status (count_only), a deep keyset page (after=), one bug with
# 50 comments (/rest/bug/ID/comment), GET /rest/bug/ID, an update (PUT status + comment) and
# POST /rest/bug. It prints p50/p95 latency, server CPU ms per request (utime + stime from
# /proc, PostgreSQL's processes added on PostgreSQL), SQL statements per request (the server's
# request log) and peak resident memory under load, each beside issue 10's target (p95 <= 50 ms
# at 16 connections, GET bug <= 0.2 ms CPU, list page and POST <= 1 ms, PostgreSQL within 1.5x
# of SQLite, RSS <= 150 MiB), met or not. The machine is shared and noisy: ratios within one
# run mean more than any absolute figure.
#
#   bench/scale/run.sh [--db sqlite|pg|both] [--bugs N] [--seconds S] [--bin PATH]
#                      [--seeded-sqlite DIR] [--seeded-pg URL]
#     --db             which database(s) (default both)
#     --bugs           bugs to seed (default 1000000; --bugs 100000 for a quicker run)
#     --seconds        length of each wrk run (default 8): 24 runs per database
#     --bin            measure this bugzot binary instead of building `swift build -c release`
#     --seeded-sqlite  measure a copy of this data folder, seeded earlier by `bugzot seed`
#     --seeded-pg      measure a copy of this database (postgres://…/NAME on a cluster of this
#                      machine, nothing connected to it), seeded earlier; the copy is dropped at the end
#                      (the server migrates the copy, so a seed by an older build serves too)
# Tables go to stdout, progress to stderr. Temporary data and servers are removed on exit.
set -euo pipefail
exec python3 "$(dirname "$0")/bench.py" "$@"
