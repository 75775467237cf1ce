#!/usr/bin/env python3
"""Scale benchmark of a release build of BugZot (bench/scale/run.sh runs this; see its header).

On each database: `bugzot seed --bugs N` fills an empty database, a server starts on it, the
queries' parameters are read off the seeded data through /rest (the product with the most
bugs, the busiest assignee of its open bugs, a word and a phrase from a comment), then wrk runs
each query for --seconds at 1 and at 16 connections and the tables give p50/p95 latency, server
CPU milliseconds and SQL statements per request, peak resident memory, each beside issue 10's
target, met or not.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import benchkit as bk  # noqa: E402

P95_TARGET_MS = 50  # every query at 16 connections
RSS_TARGET_MIB = 150
CPU_TARGETS = {"open bugs of a product": 1.0, "GET /rest/bug/ID": 0.2, "POST /rest/bug": 1.0}  # ms, on SQLite
PG_RATIO_TARGET = 1.5
PUT_BUGS_PER_GROUP = 400
DEEP_PAGE = 200  # the deep keyset page: after the bug at position 25 * DEEP_PAGE


def seed(binary: str, db: bk.Database, bugs: int) -> float:
    """`bugzot seed` into the empty database; returns the seconds it took."""
    started = time.monotonic()
    bk.log(f"{db.label}: bugzot seed --bugs {bugs}")
    print(bk.bugzot(binary, db, "seed", "--bugs", str(bugs)).strip(), file=sys.stderr)
    return time.monotonic() - started


class Setup:
    """The parameters of the benchmark's queries, read off the seeded data."""

    def __init__(self, binary: str, db: bk.Database, server: bk.Server):
        bk.bugzot(binary, db, "user", "create", "--login", "bench-admin@example.com", "--name", "Bench Admin", "--admin",
                  stdin="bench-password\n")
        self.admin_key = self.key(binary, db, "bench-admin@example.com")
        admin = bk.Rest(server.base, self.admin_key)
        ids = admin.get("/product_accessible")["ids"]
        products = admin.get("/product", ids=[str(i) for i in ids])["products"]
        sizes = {p["name"]: admin.get("/bug", product=p["name"], count_only="1")["bug_count"] for p in products}
        self.product = max(sizes, key=sizes.get)
        self.product_bugs = sizes[self.product]
        self.bugs = sum(sizes.values())
        open_page = admin.get("/bug", product=self.product, resolution="---", limit="200", order="changeddate DESC",
                              include_fields="id,assigned_to,component,status")["bugs"]
        self.user = Counter(b["assigned_to"] for b in open_page).most_common(1)[0][0]
        self.component = Counter(b["component"] for b in open_page).most_common(1)[0][0]
        self.status = Counter(b["status"] for b in open_page).most_common(1)[0][0]
        self.user_key = self.key(binary, db, self.user)
        self.statuses = [v["name"] for v in admin.get("/field/bug/bug_status")["fields"][0]["values"] if v.get("name")]
        # The rest as the user sees it (some seeded bugs are confidential).
        user = bk.Rest(server.base, self.user_key)
        visible = user.get("/bug", product=self.product, resolution="---", limit="200", order="changeddate DESC",
                           include_fields="id,summary")["bugs"]
        self.sample_bugs = [b["id"] for b in visible]
        self.word, self.phrase = self.words(user, self.sample_bugs)
        self.summary_word = next(w.lower() for b in visible for w in re.findall(r"[A-Za-z]{5,}", b["summary"]))
        open_bugs = user.get("/bug", product=self.product, resolution="---", count_only="1")["bug_count"]
        self.depth = max(0, min(25 * DEEP_PAGE, open_bugs - 26))  # a full page after it
        self.deep_after = user.get("/bug", product=self.product, resolution="---", order="changeddate DESC", limit="1",
                                   offset=str(self.depth), include_fields="id")["bugs"][0]["id"]
        # In a product of our own, so that the read queries see seeded data only: a bug with 50
        # comments (the description and 49 more), and bugs to update.
        admin.post("/product", {"name": "Bench", "description": "Bugs the benchmark writes", "version": "1.0"})
        admin.post("/component", {"product": "Bench", "name": "Writes", "description": "Bugs the benchmark writes",
                                  "default_assignee": "bench-admin@example.com"})
        self.long_bug = self.file(admin)
        for n in range(49):
            admin.post(f"/bug/{self.long_bug}/comment", {"comment": f"Comment {n} on the long bug: {self.phrase} and more text."})
        self.put_bugs = [self.file(admin) for _ in range(4 * PUT_BUGS_PER_GROUP)]

    @staticmethod
    def key(binary: str, db: bk.Database, login: str) -> str:
        return bk.bugzot(binary, db, "apikey", "create", "--login", login, "--description", "bench").strip().splitlines()[-1]

    @staticmethod
    def file(admin: bk.Rest) -> int:
        return admin.post("/bug", {"product": "Bench", "component": "Writes", "version": "1.0",
                                   "summary": "Benchmark bug", "description": "Filed for the benchmark."})["id"]

    @staticmethod
    def words(rest: bk.Rest, bugs: list[int]) -> tuple[str, str]:
        """The rarest word of the comments of 20 seeded bugs (so that a search for it cannot stop
        at the first comments it reads), and the rarest pair of words that follow each other."""
        words, pairs = Counter(), Counter()
        for bug in bugs[:20]:
            for comment in rest.get(f"/bug/{bug}/comment")["bugs"][str(bug)]["comments"][1:]:
                words.update(w.lower() for w in re.findall(r"[A-Za-z]{5,}", comment["text"]))
                pairs.update(re.findall(r"(?=\b([a-z]{4,} [a-z]{4,})\b)", comment["text"]))
        if not words or not pairs:
            raise SystemExit("no seeded bug among the newest has comments with words to search for")
        return min(words, key=words.get), min(pairs, key=pairs.get)


def queries(s: Setup) -> dict[str, list[bk.Request]]:
    """The benchmark's queries, each a rotation of requests (reads with the user's key)."""
    open_list = {"resolution": "---", "limit": "25", "order": "changeddate DESC"}
    get = lambda **query: bk.Request("GET", bk.query_path("/bug", **query))  # noqa: E731
    return {
        "open bugs of a product": [get(product=s.product, **open_list)],
        "my bugs": [get(assigned_to=s.user, **open_list)],
        "a word in comments": [get(longdesc=s.word, longdesc_type="allwords", limit="25")],
        "a phrase": [get(longdesc=s.phrase, longdesc_type="substring", limit="25")],
        "a mixed quicksearch": [get(quicksearch=f"OPEN product:{s.product} {s.summary_word}", limit="25")],
        "component + status": [get(product=s.product, component=s.component, status=s.status, limit="25", order="changeddate DESC")],
        "counts by status": [get(product=s.product, status=status, count_only="1") for status in s.statuses],
        "a deep keyset page": [get(product=s.product, after=str(s.deep_after), **open_list)],
        "a bug with 50 comments": [bk.Request("GET", f"/rest/bug/{s.long_bug}/comment")],
        "GET /rest/bug/ID": [bk.Request("GET", f"/rest/bug/{bug}") for bug in s.sample_bugs],
    }


def writes(s: Setup, level: int, threads: int) -> dict[str, list]:
    """An update (PUT status + comment, each wrk thread on bugs of its own, NEW → ASSIGNED and
    back) and POST /rest/bug, both with the administrator's key, in the product Bench (in the
    same tables as the seeded bugs, out of the read queries' way)."""
    group = s.put_bugs[level * 2 * PUT_BUGS_PER_GROUP:(level + 1) * 2 * PUT_BUGS_PER_GROUP]
    puts = [[bk.Request("PUT", f"/rest/bug/{bug}", {"status": status, "comment": {"body": f"Now {status}."}})
             for status in ("ASSIGNED", "NEW") for bug in group[t::threads]] for t in range(threads)]
    post = [bk.Request("POST", "/rest/bug", {"product": "Bench", "component": "Writes", "version": "1.0",
                                             "summary": "Benchmark bug", "description": "Filed by wrk."})]
    return {"an update (PUT)": puts, "POST /rest/bug": post}


def measure(binary: str, kind: str, args) -> dict:
    seeded = args.seeded_sqlite if kind == "sqlite" else args.seeded_pg
    with bk.Database(kind, seeded) as db:
        seconds_seeding = None if seeded else seed(binary, db, args.bugs)
        with bk.Server(binary, db) as server:
            bk.log(f"{db.label}: reading the queries' parameters off the data")
            s = Setup(binary, db, server)
            bk.log(f"{db.label}: product {s.product} ({s.product_bugs} bugs), user {s.user}, word {s.word!r}, phrase {s.phrase!r}")
            load = bk.Load(server, db)
            reads = queries(s)
            user = bk.Rest(server.base, s.user_key)
            hits = {name: sum(found(user, r) for r in rotation) if name == "counts by status" else found(user, rotation[0])
                    for name, rotation in reads.items()}
            bk.log(f"{db.label}: warming up")
            for rotation in reads.values():
                load.run(rotation, 16, 1, s.user_key)
            results = {}
            for level, connections in enumerate((1, 16)):
                for name, rotation in reads.items():
                    bk.log(f"{db.label}: {name} at {connections} connections")
                    results[(connections, name)] = load.run(rotation, connections, args.seconds, s.user_key)
                for name, rotation in writes(s, level, load.threads).items():
                    bk.log(f"{db.label}: {name} at {connections} connections")
                    results[(connections, name)] = load.run(rotation, connections, args.seconds, s.admin_key)
            return {"results": results, "setup": s, "seeding": seconds_seeding, "hits": hits}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def print_database(label: str, run: dict, args) -> None:
    results, s = run["results"], run["setup"]
    names = list(dict.fromkeys(name for _, name in results))
    seeding = f"in {run['seeding'] / 60:.1f} min" if run["seeding"] is not None else "earlier (a copy)"
    print(f"\nBugZot at scale on {label}: release build, {s.bugs:,} bugs seeded by `bugzot seed` {seeding}; "
          f"wrk {args.seconds:g} s per cell; CPU = server"
          + (" + PostgreSQL" if label == "PostgreSQL" else "") + " per request (/proc), at 16 connections")
    print(f"product {s.product} ({s.product_bugs:,} bugs), my bugs = {s.user}, word {s.word!r}, phrase {s.phrase!r}, "
          f"quicksearch word {s.summary_word!r}, deep page after bug {s.deep_after} ({s.depth:,} open bugs in)")
    headers = ["query", "found", "p50 @1", "p95 @1", "p50 @16", "p95 @16", f"p95@16 <= {P95_TARGET_MS} ms", "req/s @16",
               "CPU ms @16", "CPU target", "SQL/req", "errors", "RSS MiB @16"]
    rows = []
    for name in names:
        one, many = results[(1, name)], results[(16, name)]
        finished = many.requests > 0
        cpu_target = CPU_TARGETS.get(name)
        cpu_cell = "-"
        if cpu_target is not None and label == "SQLite":
            cpu_cell = f"<= {cpu_target} {verdict(many.cpu_ms <= cpu_target)}"
        rows.append([name, str(run["hits"].get(name, "-")), ms(one), ms(one, 95), ms(many), ms(many, 95),
                     verdict(finished and many.p95 <= P95_TARGET_MS), bk.number(many.rate, 0),
                     bk.number(many.cpu_ms, 3) if finished else "-", cpu_cell, bk.number(many.statements, 1),
                     str(one.errors + many.errors), bk.number(many.peak_rss_mib, 0)])
    print(bk.table(headers, rows))
    peak = max(r.peak_rss_mib for r in results.values())
    print(f"peak server RSS under load {peak:.0f} MiB (target <= {RSS_TARGET_MIB} MiB: {verdict(peak <= RSS_TARGET_MIB)}); "
          "latencies in ms; found = bugs on the page (the counts' sum for counts by status)")


def found(rest: bk.Rest, request: bk.Request) -> int:
    """How many bugs the query's first request finds: a page's bugs, a count, a bug's comments."""
    path, _, query = request.path.removeprefix("/rest").partition("?")
    answer = rest.get(path, **dict(urllib.parse.parse_qsl(query)))
    if "bug_count" in answer:
        return answer["bug_count"]
    bugs = answer.get("bugs", [])
    if isinstance(bugs, dict):  # /bug/ID/comment: {"bugs": {"ID": {"comments": [...]}}}
        return sum(len(bug["comments"]) for bug in bugs.values())
    return len(bugs)


def ms(result: bk.Result, percentile: int = 50) -> str:
    if result.requests == 0:
        return f">{result.seconds:.0f}s"
    return bk.number(result.p95 if percentile == 95 else result.p50, 1)


def print_comparison(by_db: dict) -> None:
    if len(by_db) < 2:
        return
    sqlite, pg = by_db["SQLite"]["results"], by_db["PostgreSQL"]["results"]
    print(f"\nPostgreSQL beside SQLite, 16 connections (target: within {PG_RATIO_TARGET}x per request)")
    rows = []
    for name in dict.fromkeys(name for _, name in sqlite):
        s, p = sqlite[(16, name)], pg[(16, name)]
        cpu = p.cpu_ms / s.cpu_ms if s.cpu_ms and s.requests and p.requests else None
        p95 = p.p95 / s.p95 if s.p95 and s.requests and p.requests else None
        cpu_ms = lambda r: bk.number(r.cpu_ms, 3) if r.requests else f"none in {r.seconds:.0f}s"  # noqa: E731
        rows.append([name, cpu_ms(s), cpu_ms(p), bk.number(cpu), bk.number(p95),
                     verdict(cpu is not None and cpu <= PG_RATIO_TARGET)])
    print(bk.table(["query", "SQLite CPU ms", "PG CPU ms", "PG/SQLite CPU", "PG/SQLite p95", "1.5x target"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both", help="database(s) to measure (default both)")
    parser.add_argument("--bugs", type=int, default=1_000_000, help="bugs for `bugzot seed` (default 1000000)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run (default 8)")
    parser.add_argument("--bin", help="a bugzot binary to measure instead of building release")
    parser.add_argument("--seeded-sqlite", metavar="DIR", help="measure a copy of this data folder, seeded earlier, instead of seeding")
    parser.add_argument("--seeded-pg", metavar="URL", help="measure a copy of this PostgreSQL database (on a local cluster, "
                        "nothing connected to it), seeded earlier, instead of seeding")
    args = parser.parse_args()
    bk.ensure_wrk()
    binary = bk.release_binary(args.bin)
    by_db = {}
    for kind in (["sqlite", "pg"] if args.db == "both" else [args.db]):
        label = "SQLite" if kind == "sqlite" else "PostgreSQL"
        by_db[label] = measure(binary, kind, args)
        print_database(label, by_db[label], args)  # at once: a cut-off run keeps what it measured
        sys.stdout.flush()
    print_comparison(by_db)


if __name__ == "__main__":
    main()
