#!/usr/bin/env python3
"""WAMP router benchmark: BugZot's /ws and a Crossbar.io 26.10.1 node, side by side in one run
(bench/wamp/run.sh runs this with a Python that has autobahn; see its header).

For each router, on loopback, with the same clients:
  rpc      a trusted session registers com.example.bench.echo, another calls it --n times, 1 and
           64 calls in flight (autobahn, asyncio): router CPU per routed call, call→result p50/p99
  pubsub   a session subscribes com.example.bench.topic, another publishes --n events to it
           (unacknowledged), 1 and 64 in flight: router CPU per delivered event, publish→event p50/p99
  fan-out  --fanout raw sessions subscribed to one topic, --rounds rounds: BugZot from a REST PUT of
           a bug to its bugzot.bug.changed.<id> subscribers (change to delivery), Crossbar from a
           PUBLISH; latency from the trigger to the kernel's arrival time at each subscriber's socket;
           router CPU per delivered event
  idle     --idle authenticated sessions doing nothing (but answering pings): the router's resident
           memory with them, and its growth over the empty router
Router CPU is utime + stime from /proc: BugZot's process (SQLite, in process), Crossbar's router
worker. Then a table with BugZot / Crossbar ratios and issue 11's targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import benchkit as bk  # noqa: E402
import swarm  # noqa: E402
import txaio  # noqa: E402

txaio.use_asyncio()
from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.wamp.types import RegisterOptions, SubscribeOptions  # noqa: E402

ECHO, TOPIC = "com.example.bench.echo", "com.example.bench.topic"
ADMIN = "admin@example.com"
# Issue 11's targets.
TARGET_CPU_RATIO = 0.1  # router CPU per RPC and per event ≤ 1/10 of Crossbar's
TARGET_FANOUT_P99_MS = 5.0  # change to delivery with 1,000 subscribers
TARGET_IDLE_MIB = 200.0  # 10,000 idle sessions


@dataclass
class Router:
    """One router under test: where it listens, whose CPU and memory to read, and how to log in."""
    name: str
    port: int
    pid: int
    caller: tuple[str, str]  # (authid, ticket) of the calling/publishing/subscribing sessions
    callee: tuple[str, str]  # (authid, ticket) of the trusted session that registers the echo
    subscribers: list[tuple[str, str]]  # credentials the fan-out and idle sessions take in turn
    trigger: object = None  # fan-out: a callable making one change, or None to PUBLISH to TOPIC

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def cpu(self) -> float:
        return bk.process_cpu_seconds(self.pid)

    def rss_mib(self) -> float:
        return bk.resident_kib(self.pid) / 1024


def percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(round(q * (len(sorted_ms) - 1))))]


def figures(latencies_ms: list[float], cpu_s: float, ops: int, seconds: float) -> dict:
    latencies_ms.sort()
    return {"ops": ops, "ops_per_s": round(ops / seconds, 1), "p50_ms": round(percentile(latencies_ms, 0.5), 3),
            "p99_ms": round(percentile(latencies_ms, 0.99), 3), "cpu_ms_per_op": round(1000 * cpu_s / ops, 4)}


# --- rpc and pubsub through autobahn ------------------------------------------------------------

async def session(router: Router, who: tuple[str, str]):
    loop = asyncio.get_running_loop()
    component = Component(transports=[{"type": "websocket", "url": router.url, "serializers": ["json"],
                                       "max_retries": 0}],
                          realm="bugzot", authentication={"ticket": {"authid": who[0], "ticket": who[1]}})
    joined = loop.create_future()

    @component.on_join
    async def _joined(s, details):
        joined.set_result(s)

    component.start(loop)
    return await asyncio.wait_for(joined, 30)


async def windowed(op, count: int, window: int) -> tuple[list[float], float]:
    """`count` ops, at most `window` in flight; each op's latency (ms) and the wall time."""
    slots = asyncio.Semaphore(window)
    latencies: list[float] = []

    async def one(i: int) -> None:
        started = time.perf_counter_ns()
        try:
            await op(i)
        finally:
            latencies.append((time.perf_counter_ns() - started) / 1e6)
            slots.release()

    tasks = []
    began = time.perf_counter()
    for i in range(count):
        await slots.acquire()
        tasks.append(asyncio.ensure_future(one(i)))
    await asyncio.gather(*tasks)
    return latencies, time.perf_counter() - began


async def rpc_and_pubsub(router: Router, n: int, warmup: int, payload: str) -> dict:
    results = {}
    callee, caller = await session(router, router.callee), await session(router, router.caller)
    await callee.register(lambda i, data: i, ECHO, options=RegisterOptions())

    async def call(i: int) -> None:
        assert await caller.call(ECHO, i, payload) == i

    subscriber = await session(router, router.caller)
    waiting: dict[int, asyncio.Future] = {}

    def on_event(i, data):
        future = waiting.pop(i, None)
        if future is not None:
            future.set_result(None)

    await subscriber.subscribe(on_event, TOPIC, options=SubscribeOptions())
    loop = asyncio.get_running_loop()

    async def publish(i: int) -> None:
        waiting[i] = future = loop.create_future()
        caller.publish(TOPIC, i, payload)
        await asyncio.wait_for(future, 30)

    for kind, op in (("rpc", call), ("pubsub", publish)):
        for window in (1, 64):
            await windowed(op, warmup, window)
            before = router.cpu()
            latencies, seconds = await windowed(op, n, window)
            results[f"{kind} {window}"] = figures(latencies, router.cpu() - before, n, seconds)
            bk.log(f"{router.name}: {kind}, {window} in flight: {results[f'{kind} {window}']}")
    for s in (callee, caller, subscriber):
        s.leave()
    await asyncio.sleep(0.5)
    return results


# --- fan-out and idle sessions through raw clients ----------------------------------------------

def credentials(router: Router):
    pool = router.subscribers
    return (lambda i: pool[i % len(pool)][0]), (lambda i: pool[i % len(pool)][1])


def fan_out(router: Router, subscribers: int, rounds: int, topic: str) -> dict:
    crowd = swarm.Swarm()
    try:
        authid, ticket = credentials(router)
        subs = crowd.join(router.port, subscribers, authid, ticket, topic=topic)
        publisher = None if router.trigger else crowd.join(router.port, 1, lambda i: router.caller[0],
                                                           lambda i: router.caller[1])[0]
        latencies: list[float] = []
        triggers: list[float] = []  # how long the trigger itself took (BugZot: the PUT's round trip)
        cpu_s = 0.0
        began = time.perf_counter()
        for r in range(-3, rounds):  # three rounds of warm-up
            before = router.cpu()
            started = time.time_ns()
            if publisher:
                publisher.send([swarm.PUBLISH, publisher.next_request(), {}, topic, [{"round": r}]])
                crowd.update(publisher)
            else:
                router.trigger(r)
            triggers.append((time.time_ns() - started) / 1e6)
            crowd.run_until(lambda: all(len(p.events) >= r + 4 for p in subs), 60, f"fan-out round {r}")
            if r >= 0:
                cpu_s += router.cpu() - before
                latencies += [(p.events[r + 3][0] - started) / 1e6 for p in subs]
        result = figures(latencies, cpu_s, rounds * subscribers, time.perf_counter() - began)
        result["trigger_p50_ms"] = round(statistics.median(triggers[3:]), 3)
        bk.log(f"{router.name}: fan-out to {subscribers}: {result}")
        return result
    finally:
        crowd.close()


def idle_sessions(router: Router, count: int) -> dict:
    empty = router.rss_mib()
    crowd = swarm.Swarm()
    try:
        authid, ticket = credentials(router)
        began = time.monotonic()
        crowd.join(router.port, count, authid, ticket)
        joined_in = time.monotonic() - began
        crowd.idle(5)
        result = {"sessions": count, "rss_mib": round(router.rss_mib(), 1), "empty_rss_mib": round(empty, 1),
                  "join_s": round(joined_in, 1)}
        result["growth_mib"] = round(result["rss_mib"] - empty, 1)
        bk.log(f"{router.name}: {count} idle sessions: {result}")
        return result
    finally:
        crowd.close()


def measure(router: Router, args, fanout_topic: str) -> dict:
    results = asyncio.run(rpc_and_pubsub(router, args.n, args.warmup, "x" * 32))
    results["fanout"] = fan_out(router, args.fanout, args.rounds, fanout_topic)
    time.sleep(1)
    results["idle"] = idle_sessions(router, args.idle)
    return results


# --- the routers ----------------------------------------------------------------------------------

def with_bugzot(args, work):
    """BugZot on SQLite: an admin (the trusted callee), --fanout-users users for the sessions, a bug
    whose changes the fan-out watches."""
    binary = bk.release_binary(args.bin)
    db = bk.Database("sqlite")
    db.__enter__()
    try:
        def user(login: str, *flags: str) -> tuple[str, str]:
            bk.bugzot(binary, db, "user", "create", "--login", login, "--name", login.split("@")[0], *flags,
                      stdin="bench-password\n")
            key = bk.bugzot(binary, db, "apikey", "create", "--login", login, "--description", "bench")
            return login, key.strip().splitlines()[-1]

        admin = user(ADMIN, "--admin")
        users = [user(f"watcher{i}@example.com") for i in range(args.fanout_users)]
        extra = ["--max-connections", str(args.idle + args.fanout + 500)]
        server = bk.Server(binary, db, extra)
        server.__enter__()
    except BaseException:
        db.__exit__(None, None, None)
        raise
    rest = bk.Rest(server.base, admin[1])
    rest.post("/product", {"name": "Widget", "description": "Benchmark product", "version": "1.0"})
    rest.post("/component", {"product": "Widget", "name": "Backend", "description": "Benchmark component",
                             "default_assignee": ADMIN})
    bug = rest.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0", "summary": "Watched",
                             "description": "The bug the fan-out watches."})["id"]

    def change(r: int) -> None:
        rest.call("PUT", f"/bug/{bug}", {"summary": f"Watched, round {r}"})

    router = Router("BugZot", server.port, server.process.pid, users[0], admin, users, change)

    def stop():
        server.__exit__(None, None, None)
        db.__exit__(None, None, None)

    return router, f"bugzot.bug.changed.{bug}", stop


def listening_pid(port: int) -> int:
    """The process that owns the socket listening on `port` (a Crossbar router worker)."""
    wanted = f":{port:04X}"
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(wanted) and line.split()[3] == "0A"}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes:
                    return int(entry.name)
        except OSError:
            continue
    raise SystemExit(f"no process listens on port {port}")


def crossbar_config(port: int, principals: dict[str, str]) -> dict:
    """A standalone node: realm bugzot, every permission for role `user`, ticket principals."""
    return {"version": 2, "controller": {}, "workers": [{
        "type": "router",
        "realms": [{"name": "bugzot", "roles": [{"name": "user", "permissions": [{
            "uri": "", "match": "prefix", "allow": {"call": True, "register": True, "publish": True, "subscribe": True},
            "disclose": {"caller": False, "publisher": False}, "cache": True}]}]}],
        "transports": [{"type": "web", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": port, "backlog": 4096},
                        "paths": {"/": {"type": "static", "directory": "..", "options": {"enable_directory_listing": False}},
                                  "ws": {"type": "websocket", "serializers": ["json", "msgpack"],
                                         "auth": {"ticket": {"type": "static", "principals": {
                                             authid: {"ticket": secret, "role": "user"}
                                             for authid, secret in principals.items()}}},
                                         "options": {"max_message_size": 1048576, "auto_ping_interval": 0}}}}]}]}


def with_crossbar(args, work):
    port = bk.free_port()
    node = Path(work) / "crossbar" / ".crossbar"
    node.mkdir(parents=True)
    users = {f"watcher{i}": f"watcher{i}-secret" for i in range(args.fanout_users)}
    users.update({"bench": "bench-secret", "trusted": "trusted-secret"})
    (node / "config.json").write_text(json.dumps(crossbar_config(port, users), indent=2))
    log = open(node.parent / "crossbar.log", "wb")
    process = subprocess.Popen([args.crossbar, "start", "--cbdir", str(node)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while b"has started Web Service" not in (node.parent / "crossbar.log").read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"Crossbar did not come up; see {node.parent / 'crossbar.log'}")
        time.sleep(0.5)
    watchers = [(f"watcher{i}", f"watcher{i}-secret") for i in range(args.fanout_users)]
    router = Router("Crossbar", port, listening_pid(port), ("bench", "bench-secret"), ("trusted", "trusted-secret"),
                    watchers)

    def stop():
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

    return router, TOPIC, stop


# --- the table ------------------------------------------------------------------------------------

def table(results: dict, args) -> str:
    b, c = results.get("BugZot"), results.get("Crossbar")
    rows = []

    def row(label: str, get, target: str = "", ratio_target: float | None = None, digits: int = 3):
        bv = get(b) if b else None
        cv = get(c) if c else None
        ratio = f"{bv / cv:.3f}" if bv is not None and cv else ""
        if ratio_target is not None and ratio:
            target = f"≤ {ratio_target:g} × Crossbar: {'met' if bv / cv <= ratio_target else 'NOT met'}"
        rows.append((label, "" if bv is None else f"{bv:.{digits}f}", "" if cv is None else f"{cv:.{digits}f}",
                     ratio, target))

    for window in (1, 64):
        row(f"router CPU ms per RPC, {window} in flight", lambda r: r[f"rpc {window}"]["cpu_ms_per_op"],
            ratio_target=TARGET_CPU_RATIO, digits=4)
        row(f"RPC call→result p50 ms, {window} in flight", lambda r: r[f"rpc {window}"]["p50_ms"])
        row(f"RPC call→result p99 ms, {window} in flight", lambda r: r[f"rpc {window}"]["p99_ms"])
    for window in (1, 64):
        row(f"router CPU ms per event, {window} in flight", lambda r: r[f"pubsub {window}"]["cpu_ms_per_op"],
            ratio_target=TARGET_CPU_RATIO, digits=4)
        row(f"publish→event p50 ms, {window} in flight", lambda r: r[f"pubsub {window}"]["p50_ms"])
        row(f"publish→event p99 ms, {window} in flight", lambda r: r[f"pubsub {window}"]["p99_ms"])
    fan = f"{args.fanout:,} subscribers"
    row(f"{fan}: router CPU ms per delivered event", lambda r: r["fanout"]["cpu_ms_per_op"],
        ratio_target=TARGET_CPU_RATIO, digits=4)
    row(f"{fan}: the trigger's own time p50 ms (BugZot: PUT round trip)", lambda r: r["fanout"]["trigger_p50_ms"])
    row(f"{fan}: trigger→delivery p50 ms", lambda r: r["fanout"]["p50_ms"])
    met = b and b["fanout"]["p99_ms"] <= TARGET_FANOUT_P99_MS
    row(f"{fan}: trigger→delivery p99 ms", lambda r: r["fanout"]["p99_ms"],
        target=f"BugZot ≤ {TARGET_FANOUT_P99_MS:g} ms: {'met' if met else 'NOT met'}" if b else "")
    idle = f"{args.idle:,} idle sessions"
    met = b and b["idle"]["rss_mib"] <= TARGET_IDLE_MIB
    row(f"{idle}: router RSS MiB", lambda r: r["idle"]["rss_mib"],
        target=f"BugZot ≤ {TARGET_IDLE_MIB:g} MiB: {'met' if met else 'NOT met'}" if b else "", digits=1)
    row(f"{idle}: RSS growth over the empty router MiB", lambda r: r["idle"]["growth_mib"], digits=1)
    row(f"{idle}: KiB per session", lambda r: 1024 * r["idle"]["growth_mib"] / args.idle, digits=1)

    header = ("measure", "BugZot", "Crossbar 26.10.1", "BugZot / Crossbar", "target (issue 11)")
    widths = [max(len(str(x[i])) for x in [header, *rows]) for i in range(5)]
    line = lambda cells: "| " + " | ".join(str(v).ljust(w) for v, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routers", default="bugzot,crossbar", help="which routers, comma-separated")
    parser.add_argument("--n", type=int, default=10000, help="calls and events per rpc/pubsub figure")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--fanout", type=int, default=1000, help="subscribers of the fan-out")
    parser.add_argument("--rounds", type=int, default=50, help="changes (or publications) fanned out")
    parser.add_argument("--fanout-users", type=int, default=10, help="users the raw sessions belong to, in turn")
    parser.add_argument("--idle", type=int, default=10000, help="idle authenticated sessions")
    parser.add_argument("--bin", help="the bugzot binary (default: a release build of this checkout)")
    parser.add_argument("--crossbar", default=shutil.which("crossbar"), help="the crossbar executable")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it
    if hard < args.idle + args.fanout + 1000:
        raise SystemExit(f"the open-files limit ({hard}) is too low for {args.idle} sessions")

    results = {}
    with tempfile.TemporaryDirectory(prefix="bugzot-wamp-bench-") as work:
        for name in args.routers.split(","):
            start = {"bugzot": with_bugzot, "crossbar": with_crossbar}[name.strip()]
            router, topic, stop = start(args, work)
            try:
                bk.log(f"{router.name}: measuring (port {router.port}, pid {router.pid})")
                results[router.name] = measure(router, args, topic)
            finally:
                stop()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"bench/wamp: n={args.n} (after {args.warmup} warm-up), JSON, 32-byte payload; fan-out {args.fanout} "
          f"subscribers × {args.rounds} rounds; {args.idle} idle sessions; {os.cpu_count()} cores, load {load}")
    print(table(results, args))
    print(json.dumps({"results": results, "load": load}, sort_keys=True))


if __name__ == "__main__":
    main()
