#!/usr/bin/env python3
"""REST benchmark of a release build of BugZot (bench/rest/run.sh runs this; see its header).

On each database: seed a product Widget with --bugs bugs through POST /rest/bug, then run wrk
for --seconds on each endpoint at each connection count, GET /rest/version first at each count
(the ceiling of this run), and print per endpoint: requests/s, p50 and p99 latency, server CPU
milliseconds per request (bugzot's utime + stime from /proc, plus PostgreSQL's own processes on
PostgreSQL), SQL statements per request (from the server's request log), each throughput and
CPU figure also as a ratio to the same count's GET /rest/version. Then PostgreSQL beside SQLite
and issue 10's per-request targets, met or not.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import local

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import benchkit as bk  # noqa: E402

LIST_QUERY = {"product": "Widget", "resolution": "---", "limit": "25", "order": "changeddate DESC"}
ENDPOINTS = ["GET /rest/version", "GET /rest/bug/ID", "GET /rest/bug?product=…&resolution=---&limit=25",
             "POST /rest/bug", "PUT /rest/bug/ID status+comment"]
# Issue 10's targets per request: (CPU ms on SQLite, SQL statements); None where it sets none.
TARGETS = {"GET /rest/bug/ID": (0.2, 3), "GET /rest/bug?product=…&resolution=---&limit=25": (1.0, 4),
           "POST /rest/bug": (1.0, 12), "PUT /rest/bug/ID status+comment": (None, 12)}


def seed(server: bk.Server, key: str, count: int) -> list[int]:
    """Product Widget, component Backend and `count` bugs (status NEW), filed by 8 threads; and
    a product Filed for the bugs POST /rest/bug files, so that Widget's list keeps its size."""
    admin = bk.Rest(server.base, key)
    for product in ("Widget", "Filed"):
        admin.post("/product", {"name": product, "description": "Benchmark product", "version": "1.0"})
        admin.post("/component", {"product": product, "name": "Backend", "description": "Benchmark component",
                                  "default_assignee": "admin@example.com"})
    clients = local()

    def file_bug(n: int) -> int:
        if not hasattr(clients, "rest"):
            clients.rest = bk.Rest(server.base, key)
        return clients.rest.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                          "summary": f"Seeded bug {n}", "description": f"Seeded bug number {n}."})["id"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(file_bug, range(count)))


def put_rotations(bugs: list[int], groups: int) -> list[list[bk.Request]]:
    """For each of `groups` wrk threads, a rotation over bugs of its own: every bug NEW →
    ASSIGNED (with a comment), then every bug back to NEW, so that each change is valid and no
    two connections touch one bug at once."""
    rotations = []
    for g in range(groups):
        mine = bugs[g::groups]
        rotations.append([bk.Request("PUT", f"/rest/bug/{bug}", {"status": status, "comment": {"body": f"Now {status}."}})
                          for status in ("ASSIGNED", "NEW") for bug in mine])
    return rotations


def measure(binary: str, kind: str, args) -> dict:
    """{(connections, endpoint): Result} on one database."""
    results = {}
    with bk.Database(kind) as db:
        bk.bugzot(binary, db, "user", "create", "--login", "admin@example.com", "--name", "Admin", "--admin", stdin="bench-password\n")
        key = bk.bugzot(binary, db, "apikey", "create", "--login", "admin@example.com", "--description", "bench").strip().splitlines()[-1]
        with bk.Server(binary, db) as server:
            bk.log(f"{db.label}: seeding {args.bugs} bugs")
            bugs = seed(server, key, args.bugs)
            load = bk.Load(server, db)
            sample = bugs[:: max(1, len(bugs) // 1000)]
            reads = {
                "GET /rest/version": [bk.Request("GET", "/rest/version")],
                "GET /rest/bug/ID": [bk.Request("GET", f"/rest/bug/{bug}") for bug in sample],
                ENDPOINTS[2]: [bk.Request("GET", bk.query_path("/bug", **LIST_QUERY))],
            }
            post = [bk.Request("POST", "/rest/bug", {"product": "Filed", "component": "Backend", "version": "1.0",
                                                     "summary": "Benchmark bug", "description": "Filed by wrk."})]
            # Each connection count updates bugs of its own (see put_rotations).
            put_sets = [bugs[i:: len(args.connections)] for i in range(len(args.connections))]
            bk.log(f"{db.label}: warming up")
            for rotation in reads.values():
                load.run(rotation, 16, 2, key)
            for level, connections in enumerate(args.connections):
                plan = {**reads, "POST /rest/bug": post,
                        "PUT /rest/bug/ID status+comment": put_rotations(put_sets[level], load.threads)}
                for name, rotation in plan.items():
                    bk.log(f"{db.label}: {name} at {connections} connections")
                    results[(connections, name)] = load.run(rotation, connections, args.seconds, key)
    return results


def ratio(a: float, b: float) -> str:
    return bk.number(a / b) if b else "-"


def print_database(label: str, results: dict, args) -> None:
    print(f"\nBugZot REST on {label}: release build, {args.bugs:,} bugs seeded, wrk for {args.seconds:g} s per row, "
          "no job worker; CPU = server process" + (" + PostgreSQL's processes" if label == "PostgreSQL" else "") + " (/proc)")
    headers = ["endpoint", "conns", "req/s", "x version", "p50 ms", "p99 ms", "CPU ms/req"]
    headers += (["of which PG"] if label == "PostgreSQL" else []) + ["x version", "SQL/req", "errors"]
    rows = []
    for connections in args.connections:
        version = results[(connections, "GET /rest/version")]
        for name in ENDPOINTS:
            r = results[(connections, name)]
            row = [name, str(connections), bk.number(r.rate, 0), ratio(r.rate, version.rate), bk.number(r.p50), bk.number(r.p99),
                   bk.number(r.cpu_ms, 3)]
            row += [bk.number(r.db_cpu_ms, 3)] if label == "PostgreSQL" else []
            row += [ratio(r.cpu_ms, version.cpu_ms), bk.number(r.statements, 1), str(r.errors)]
            rows.append(row)
    print(bk.table(headers, rows))


def print_comparison(by_db: dict, args) -> None:
    if len(by_db) < 2:
        return
    c = 16 if 16 in args.connections else args.connections[-1]
    sqlite, pg = by_db["SQLite"], by_db["PostgreSQL"]
    print(f"\nPostgreSQL beside SQLite, {c} connections (target: PostgreSQL within 1.5x of SQLite per request)")
    rows = []
    for name in ENDPOINTS[1:]:
        s, p = sqlite[(c, name)], pg[(c, name)]
        cpu_ratio = p.cpu_ms / s.cpu_ms if s.cpu_ms else 0
        rows.append([name, bk.number(s.cpu_ms, 3), bk.number(p.cpu_ms, 3), bk.number(cpu_ratio), ratio(s.rate, p.rate),
                     "met" if cpu_ratio <= 1.5 else "not met"])
    print(bk.table(["endpoint", "SQLite CPU ms", "PG CPU ms", "PG/SQLite CPU", "SQLite/PG req/s", "1.5x target"], rows))


def print_targets(by_db: dict, args) -> None:
    c = 16 if 16 in args.connections else args.connections[-1]
    print(f"\nIssue 10's per-request targets ({c} connections; CPU on SQLite, statements on each database)")
    rows = []
    for name, (cpu, statements) in TARGETS.items():
        for label, results in by_db.items():
            r = results[(c, name)]
            cpu_cell = f"{bk.number(r.cpu_ms, 3)} (<= {cpu}) {'met' if r.cpu_ms <= cpu else 'not met'}" if cpu and label == "SQLite" else "-"
            st = r.statements if r.statements is not None else float("inf")
            rows.append([name, label, cpu_cell, f"{bk.number(r.statements, 1)} (<= {statements}) {'met' if st <= statements else 'not met'}"])
    print(bk.table(["endpoint", "database", "CPU ms/req (target)", "SQL/req (target)"], rows))
    print("SQL/req counts every statement of the request, BEGIN and COMMIT and authentication included; "
          "the write target (12) is for the statements inside the transaction.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both", help="database(s) to measure (default both)")
    parser.add_argument("--bugs", type=int, default=10_000, help="bugs to seed (default 10000)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--connections", default="1,16,64", help="comma-separated connection counts (default 1,16,64)")
    parser.add_argument("--bin", help="a bugzot binary to measure instead of building release")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    bk.ensure_wrk()
    binary = bk.release_binary(args.bin)
    kinds = ["sqlite", "pg"] if args.db == "both" else [args.db]
    by_db = {}
    for kind in kinds:
        label = "SQLite" if kind == "sqlite" else "PostgreSQL"
        by_db[label] = measure(binary, kind, args)
        print_database(label, by_db[label], args)  # at once: a cut-off run keeps what it measured
        sys.stdout.flush()
    print_comparison(by_db, args)
    print_targets(by_db, args)


if __name__ == "__main__":
    main()
