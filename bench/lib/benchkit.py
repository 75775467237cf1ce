"""Shared pieces of BugZot's benchmarks (bench/rest, bench/scale); Python standard library only.

- `release_binary`: builds `bugzot` in release mode (or takes a given binary).
- `Database`: SQLite in a temporary folder, or a throwaway PostgreSQL cluster started with
  scripts/pg-cluster.sh (durable settings), whose processes' CPU time it can read; or a copy of
  a database seeded earlier.
- `Server`: `bugzot serve` on a free loopback port with `--expose-sql-statements` and no job
  worker; its CPU time and resident memory from /proc, its request log for SQL statements.
- `Load`: one wrk run (closed loop: each connection sends its next request when the last one
  is answered, so every latency is one request's own) over a rotation of requests, with the
  server's (and PostgreSQL's) CPU milliseconds per request, SQL statements per request and peak
  resident memory measured over exactly that run.
- `Rest`: a small keep-alive JSON client for setting up data.

Figures are only comparable within one run of one script: machines are noisy, so every table
puts a figure beside a reference measured minutes apart in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
# SIGTERM unwinds like Ctrl-C, so that servers, clusters and temporary folders are removed.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)


def ensure_wrk() -> None:
    """Installs wrk from Debian when it is missing (as root, the way this machine is set up)."""
    if shutil.which("wrk"):
        return
    log("installing wrk from Debian")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], check=True, stdout=sys.stderr, env=env)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=sys.stderr, env=env)


def release_binary(prebuilt: str | None) -> str:
    """The `bugzot` binary to measure: `prebuilt`, or a release build of this checkout."""
    if prebuilt:
        return prebuilt
    log("building bugzot (release)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "bugzot"], cwd=ROOT, check=True, stdout=sys.stderr)
    path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return str(Path(path) / "bugzot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of a process (and, with `children`, of its reaped children), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Database:
    """Where the server keeps its data: `kind` is "sqlite" or "pg". A context manager that
    removes everything it made.

    `seeded` measures a copy of a database filled earlier instead of an empty one: for SQLite a
    data folder, copied; for PostgreSQL the URL of a database on a local cluster, copied there
    (`CREATE DATABASE … TEMPLATE`, so nothing may be connected to it) and dropped at the end."""

    def __init__(self, kind: str, seeded: str | None = None):
        assert kind in ("sqlite", "pg")
        self.kind = kind
        self.label = "SQLite" if kind == "sqlite" else "PostgreSQL"
        self.work = Path(tempfile.mkdtemp(prefix="bugzot-bench-"))
        self.seeded = seeded
        self.pg_dir: Path | None = None
        self.postmaster: int | None = None
        self.copy_admin_url: str | None = None
        self.url: str | None = None

    def __enter__(self) -> "Database":
        if self.kind == "sqlite" and self.seeded:
            shutil.copytree(self.seeded, self.work / "data")
            return self
        (self.work / "data").mkdir()
        if self.kind == "pg" and self.seeded:
            base, _, template = self.seeded.rpartition("/")
            copy = f"bench_copy_{os.getpid()}"
            self.copy_admin_url = f"{base}/postgres"
            self.psql(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
            self.url = f"{base}/{copy}"
            data = Path(self.psql("SHOW data_directory"))
            self.postmaster = int((data / "postmaster.pid").read_text().split()[0])
        elif self.kind == "pg":
            self.pg_dir = Path(tempfile.mkdtemp(prefix="bugzot-bench-pg-"))  # the postgres user must reach it
            env = dict(os.environ, PG_CLUSTER_DURABLE="1")
            self.url = subprocess.run(["bash", str(ROOT / "scripts/pg-cluster.sh"), "start", str(self.pg_dir)], env=env,
                                      check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        return self

    def __exit__(self, *exc) -> None:
        if self.pg_dir:
            subprocess.run(["bash", str(ROOT / "scripts/pg-cluster.sh"), "stop", str(self.pg_dir)], stdout=sys.stderr)
        if self.copy_admin_url and self.url:
            self.psql(f'DROP DATABASE IF EXISTS "{self.url.rpartition("/")[2]}" WITH (FORCE)')
        shutil.rmtree(self.work, ignore_errors=True)

    def psql(self, statement: str, url: str | None = None) -> str:
        """One statement through psql on the seeded database's cluster; its output, trimmed."""
        return subprocess.run(["psql", url or self.copy_admin_url, "-Atc", statement], check=True, stdout=subprocess.PIPE,
                              text=True).stdout.strip()

    @property
    def storage_args(self) -> list[str]:
        args = ["--data-dir", str(self.work / "data")]
        return args + (["--database-url", self.url] if self.url else [])

    def cpu_seconds(self) -> float:
        """CPU time of the database's own processes: PostgreSQL's postmaster, its live backends
        and those already gone; 0 for SQLite, which runs inside the server."""
        if self.postmaster:
            postmaster = self.postmaster
        elif self.pg_dir:
            postmaster = int((self.pg_dir / "data/postmaster.pid").read_text().split()[0])
        else:
            return 0.0
        total = process_cpu_seconds(postmaster, children=True)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += process_cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue  # the process ended meanwhile
        return total


class Server:
    """`bugzot serve` on a free loopback port, counting statements and without a job worker (its
    polling would blur the per-request figures). A context manager that stops it."""

    def __init__(self, binary: str, database: Database, extra: list[str] | None = None):
        self.binary, self.database = binary, database
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = database.work / "server.log"
        self.args = [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-worker",
                     "--expose-sql-statements", *database.storage_args, *(extra or [])]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.args, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /rest/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"the server did not come up; its log:\n{self.log_tail()}")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def resident_kib(self) -> int:
        return resident_kib(self.process.pid)


def bugzot(binary: str, database: Database, *args: str, stdin: str | None = None) -> str:
    """Runs a one-off `bugzot` command against the database and returns its standard output."""
    result = subprocess.run([binary, *args, *database.storage_args], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bugzot {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Rest:
    """A keep-alive JSON client for one thread; `key` goes in every query as Bugzilla_api_key."""

    def __init__(self, base: str, key: str | None = None):
        self.netloc = urllib.parse.urlsplit(base).netloc
        self.key = key
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: dict | None = None, **query) -> dict:
        if self.key:
            query["Bugzilla_api_key"] = self.key
        url = f"/rest{path}" + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.netloc, timeout=600)
            try:
                self.conn.request(method, url, body=None if body is None else json.dumps(body),
                                  headers={"Content-Type": "application/json"})
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn = None  # an idle keep-alive connection closed by the server: once more
                if attempt == 2:
                    raise
        if response.status not in (200, 201):
            raise SystemExit(f"{method} {url.split('?')[0]} answered {response.status}: {data[:500]!r}")
        return json.loads(data)

    def get(self, path: str, **query) -> dict:
        return self.call("GET", path, **query)

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, body)


@dataclass
class Request:
    """One request of a wrk rotation; `body` is sent as JSON."""
    method: str
    path: str
    body: dict | None = None


@dataclass
class Result:
    """What one wrk run measured. Latencies in milliseconds; CPU in milliseconds per request."""
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float
    server_cpu_ms: float
    db_cpu_ms: float
    statements: float | None
    peak_rss_mib: float
    statuses: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server and database CPU per request: what one request costs the machine."""
        return self.server_cpu_ms + self.db_cpu_ms


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


WRK_SCRIPT = """
-- Each wrk thread sends its own rotation of requests (thread n: rotations[n]).
local made = 0
function setup(thread)
  made = made + 1
  thread:set("rotation_index", made)
end
local prepared, position = {}, 0
function init(args)
  for _, r in ipairs(rotations[rotation_index]) do
    local headers = nil
    if r[3] then headers = {["Content-Type"] = "application/json"} end
    prepared[#prepared + 1] = wrk.format(r[1], r[2], headers, r[3])
  end
end
function request()
  position = position % #prepared + 1
  return prepared[position]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH-RESULT requests=%d duration_us=%d errors=%d p50=%d p95=%d p99=%d\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

STATEMENTS = re.compile(rb"sql_statements=(\d+)")
STATUS = re.compile(rb"status=(\w+)")


class Load:
    """Runs wrk against a server and measures the server around exactly that run."""

    def __init__(self, server: Server, database: Database, threads: int = 2):
        self.server, self.database, self.threads = server, database, threads
        self.script_dir = database.work

    def run(self, rotations: list[list[Request]] | list[Request], connections: int, seconds: float,
            key: str | None = None) -> Result:
        """`rotations`: one list of requests for all threads, or one list per thread (for writes
        that must not collide). `key` is added to every path as Bugzilla_api_key."""
        threads = min(self.threads, connections)
        if rotations and isinstance(rotations[0], Request):
            rotations = [rotations] * threads
        assert len(rotations) >= threads, "one rotation per wrk thread"
        self.settle()
        script = self.script_dir / "load.lua"
        script.write_text(self._lua(rotations[:threads], key) + WRK_SCRIPT)
        log_start = self.server.log_path.stat().st_size
        cpu0, db0 = self.server.cpu_seconds(), self.database.cpu_seconds()
        peak = [self.server.resident_kib()]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                peak[0] = max(peak[0], self.server.resident_kib())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "60s", "-s", str(script), self.server.base]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
        stop.set()
        sampler.join()
        cpu1, db1 = self.server.cpu_seconds(), self.database.cpu_seconds()
        time.sleep(0.3)  # the last requests' log lines
        match = re.search(r"BENCH-RESULT (.*)", out.stdout)
        if not match:
            raise SystemExit(f"wrk failed:\n{out.stdout}{out.stderr}")
        figures = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
        with open(self.server.log_path, "rb") as f:
            f.seek(log_start)
            lines = [line for line in f.read().splitlines() if b"path=" in line and b"sql_statements=" in line]
        counts = [int(STATEMENTS.search(line).group(1)) for line in lines]
        statuses: dict[str, int] = {}
        for line in lines:
            status = STATUS.search(line)
            statuses[status.group(1).decode() if status else "?"] = statuses.get(status.group(1).decode() if status else "?", 0) + 1
        n = max(figures["requests"], 1)
        return Result(
            requests=figures["requests"], seconds=figures["duration_us"] / 1e6, errors=figures["errors"],
            p50=figures["p50"] / 1000, p95=figures["p95"] / 1000, p99=figures["p99"] / 1000,
            server_cpu_ms=(cpu1 - cpu0) * 1000 / n, db_cpu_ms=(db1 - db0) * 1000 / n,
            statements=statistics.fmean(counts) if counts else None,
            peak_rss_mib=peak[0] / 1024, statuses=statuses)

    def settle(self, limit: float = 120) -> None:
        """Waits until the server and database are idle (under 5% of a core for half a second):
        requests a slow run left behind when wrk stopped must not be counted in the next one."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.server.cpu_seconds() + self.database.cpu_seconds()
            time.sleep(0.5)
            if self.server.cpu_seconds() + self.database.cpu_seconds() - before < 0.025:
                return
        log("the server is still busy after the last run; measuring anyway")

    @staticmethod
    def _lua(rotations: list[list[Request]], key: str | None) -> str:
        parts = []
        for rotation in rotations:
            entries = []
            for r in rotation:
                path = r.path
                if key:
                    path += ("&" if "?" in path else "?") + "Bugzilla_api_key=" + urllib.parse.quote(key)
                body = lua_string(json.dumps(r.body)) if r.body is not None else "nil"
                entries.append(f"{{{lua_string(r.method)}, {lua_string(path)}, {body}}}")
            parts.append("{\n" + ",\n".join(entries) + "\n}")
        return "rotations = {\n" + ",\n".join(parts) + "\n}\n"


def query_path(path: str, **query) -> str:
    """`/rest` + path + the query, encoded as a browser would."""
    return "/rest" + path + ("?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote) if query else "")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"
