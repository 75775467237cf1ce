"""Plumbing for the end-to-end suite: a live BugZot server, the real `bugzilla` CLI
(python-bugzilla 3.3.0) and plain REST calls, all on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
import warnings
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]

ADMIN = "admin@example.com"
DEV = "dev@example.com"
OUTSIDER = "outsider@example.com"
PASSWORD = "correct-horse-battery-staple"

CLI_TIMEOUT = 60  # seconds for one CLI command
HTTP_TIMEOUT = 30  # seconds for one REST call
START_TIMEOUT = 90  # seconds for `bugzot serve` to come up (it migrates first)
STOP_TIMEOUT = 20  # seconds for `bugzot serve` to exit after SIGTERM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for child processes: no proxies, so loopback traffic stays local."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(overrides)
    return env


def wait_until(condition, timeout: float = 30) -> bool:
    """Whether `condition()` comes true within `timeout` seconds (it is asked every 0.2 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def tail(path: Path, lines: int = 80) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"(cannot read {path}: {e})"
    return "\n".join(text.splitlines()[-lines:])


class Run:
    """The outcome of one command, printable as an assertion message."""

    def __init__(self, args: list[str], proc: subprocess.CompletedProcess[str]):
        self.args = args
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return (f"\n$ {' '.join(self.args)}\nexit code {self.rc}\n"
                f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}")

    __repr__ = __str__


def run(args: list[str], *, input: str = "", env: dict[str, str] | None = None,
        timeout: float = CLI_TIMEOUT, cwd: Path | None = None) -> Run:
    try:
        proc = subprocess.run(args, input=input, capture_output=True, text=True,
                              env=env or child_env(), timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"`{' '.join(args)}` did not finish within {timeout}s\n"
                             f"stdout: {e.stdout!r}\nstderr: {e.stderr!r}") from None
    return Run(args, proc)


# --- BugZot -------------------------------------------------------------------------------

class BugzotServer:
    """`bugzot serve` on a free loopback port, with its own data folder and database."""

    def __init__(self, binary: Path, workdir: Path, database_url: str | None, extra_args: tuple[str, ...] = (),
                 launcher: tuple[str, ...] = ()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.launcher = list(launcher)  # e.g. ("prlimit", "--nofile=256:256"): runs the server under it
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "server.log"
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.rest_url = f"{self.base_url}/rest"
        self.proc: subprocess.Popen[bytes] | None = None
        self.name = f"bugzot serve ({'PostgreSQL' if database_url else 'SQLite'})"
        self.http = requests.Session()
        self.http.trust_env = False  # ignore proxy settings: loopback only

    def storage_args(self) -> list[str]:
        args = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    def start(self) -> None:
        args = [*self.launcher, str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                *self.storage_args(), *self.extra_args]
        with open(self.log_path, "ab") as log:  # a file, not a pipe: it can never fill up
            log.write(f"$ {' '.join(args)}\n".encode())
            log.flush()
            started_at = log.tell()  # a restart must not take the last run's line for its own
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=child_env())
        ready_line = f"listening on {self.base_url}"
        deadline = time.monotonic() + START_TIMEOUT
        while not (ready_line in self.log_path.read_bytes()[started_at:].decode(errors="replace") or self._answers()):
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with code {self.proc.returncode} before it "
                            f"was ready; its log:\n{self.log()}", pytrace=False)
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"{self.name} was not ready within {START_TIMEOUT}s; its log:\n"
                            f"{self.log()}", pytrace=False)
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            r = self.http.get(f"{self.rest_url}/version", timeout=2)
            return r.status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        """SIGTERM, as a service manager would; the server must exit by itself."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        pytest.fail(f"{self.name} was still running {STOP_TIMEOUT}s after SIGTERM; its log:\n"
                    f"{self.log()}", pytrace=False)

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to finish anything (a crash, a power cut)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self, lines: int = 80) -> str:
        return tail(self.log_path, lines)

    def bugzot(self, *args: str, input: str = "") -> Run:
        """Run a `bugzot` admin command against this server's storage; it must succeed."""
        result = run([str(self.binary), *args, *self.storage_args()], input=input)
        if result.rc != 0:
            raise AssertionError(f"bugzot command failed:{result}")
        return result

    def create_user(self, login: str, name: str, *flags: str) -> None:
        self.bugzot("user", "create", "--login", login, "--name", name, *flags,
                    input=PASSWORD + "\n")

    def create_api_key(self, login: str) -> str:
        result = self.bugzot("apikey", "create", "--login", login, "--description", "e2e")
        lines = result.stdout.strip().splitlines()
        if not lines:
            raise AssertionError(f"bugzot apikey create printed no key:{result}")
        return lines[-1].strip()


# --- REST ---------------------------------------------------------------------------------

class Rest:
    """REST calls as one user (API key in the query string, as python-bugzilla sends it)."""

    def __init__(self, base_url: str, api_key: str | None = None):
        self.base_url = base_url
        self.api_key = api_key
        self.session = requests.Session()
        self.session.trust_env = False  # ignore proxy settings: loopback only

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200,),
             params: dict | None = None, json: dict | None = None) -> dict:
        query = dict(params or {})
        if self.api_key:
            query["Bugzilla_api_key"] = self.api_key
        r = self.session.request(method, f"{self.base_url}/rest{path}", params=query,
                                 json=json, timeout=HTTP_TIMEOUT)
        if r.status_code not in expect:
            raise AssertionError(f"{method} /rest{path} answered {r.status_code}, "
                                 f"expected {expect}: {r.text[:2000]}")
        return r.json()

    def get(self, path: str, **params) -> dict:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict, expect: tuple[int, ...] = (201,)) -> dict:
        return self.call("POST", path, json=body, expect=expect)

    def put(self, path: str, body: dict) -> dict:
        return self.call("PUT", path, json=body)

    def bug(self, bug_id: int) -> dict:
        return self.get(f"/bug/{bug_id}")["bugs"][0]

    def comments(self, bug_id: int) -> list[dict]:
        return self.get(f"/bug/{bug_id}/comment")["bugs"][str(bug_id)]["comments"]


    def api(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), body: dict | None = None) -> dict:
        """BugZot's own /api routes, with this user's key."""
        r = self.session.request(method, f"{self.base_url}/api{path}", params={"Bugzilla_api_key": self.api_key},
                                 json=body, timeout=HTTP_TIMEOUT)
        if r.status_code not in expect:
            raise AssertionError(f"{method} /api{path} answered {r.status_code}, expected {expect}: {r.text[:2000]}")
        return r.json()


# --- SMTP -----------------------------------------------------------------------------------

SMTP_SCRIPT = REPO / "Tests" / "BugZotMailTests" / "smtp_server.py"
SMTP_USER, SMTP_PASSWORD = "bugzot", "s3cret:p@ss"  # what smtp_server.py's AUTH accepts


class SmtpServer:
    """aiosmtpd (through Tests/BugZotMailTests/smtp_server.py) on a fixed loopback port, so it can
    be stopped and started again — or in another mode — where BugZot expects it."""

    def __init__(self, spool: Path, port: int | None = None):
        self.spool = spool
        self.spool.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen[str] | None = None

    def start(self, mode: str = "plain") -> None:
        self.stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(SMTP_SCRIPT), "--mode", mode, "--spool", str(self.spool), "--port", str(self.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=child_env())
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise AssertionError(f"the SMTP test server did not start: {line}{self.proc.stdout.read()}")

    def stop(self) -> None:
        """Down: connections are refused until it starts again."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()  # the script exits when its stdin closes
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def messages(self) -> list[dict]:
        """Every message received so far: envelope, headers (as a dict) and decoded text."""
        records = []
        for path in sorted(self.spool.glob("*.json"), key=lambda p: int(p.stem)):
            record = json.loads(path.read_text())
            record["header"] = {name.lower(): value for name, value in record["headers"]}
            records.append(record)
        return records

    def wait_for(self, predicate, count: int = 1, timeout: float = 30) -> list[dict]:
        """The received messages matching `predicate`, once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages() if predicate(m)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)


# --- python-bugzilla ----------------------------------------------------------------------

def bugzilla_executable() -> str:
    """The venv's `bugzilla` script, next to the Python running pytest."""
    exe = os.environ.get("BUGZOT_BUGZILLA_CLI") or str(Path(sys.executable).parent / "bugzilla")
    if not os.access(exe, os.X_OK):
        exe = shutil.which("bugzilla") or ""
    if not exe:
        pytest.fail("the `bugzilla` CLI (python-bugzilla 3.3.0) is not installed: run "
                    "`bash scripts/test.sh` or set BUGZOT_BUGZILLA_CLI", pytrace=False)
    return exe


class BugzillaCli:
    """The real `bugzilla` command in a HOME of its own, so credentials never leak between
    users (only /etc/bugzillarc is shared)."""

    def __init__(self, rest_url: str, home: Path):
        self.rest_url = rest_url
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)
        self.netloc = urllib.parse.urlsplit(rest_url).netloc

    def __call__(self, *args: str, input: str = "", cwd: Path | None = None) -> Run:
        """Runs one command. `attach` reads the file from standard input (never a TTY here)."""
        env = child_env(HOME=str(self.home), PYTHONBUGZILLA_REQUESTS_TIMEOUT=str(HTTP_TIMEOUT))
        return run([bugzilla_executable(), "--bugzilla", self.rest_url, *args], input=input, env=env, cwd=cwd)

    @property
    def token_file(self) -> Path:
        return self.home / ".cache" / "python-bugzilla" / "bugzillatoken"

    def use_api_key(self, key: str) -> None:
        rc = self.home / ".config" / "python-bugzilla" / "bugzillarc"
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(f"[{self.netloc}]\napi_key={key}\n")


# --- PostgreSQL ---------------------------------------------------------------------------

def psql_executable() -> str:
    exe = shutil.which("psql")
    if exe:
        return exe
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"),
                   key=lambda p: [int(x) for x in p.parent.parent.name.split(".")
                                  if x.isdigit()])
    if not found:
        pytest.fail("psql not found: apt-get install postgresql-client", pytrace=False)
    return str(found[-1])


class Postgres:
    """A PostgreSQL server reached through a URL; hands out fresh databases."""

    def __init__(self, url: str):
        self.url = url

    def psql(self, sql: str) -> Run:
        return run([psql_executable(), self.url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])

    @contextlib.contextmanager
    def fresh_database(self):
        name = f"e2e_{uuid.uuid4().hex[:12]}"
        created = self.psql(f"CREATE DATABASE {name}")
        if created.rc != 0:
            pytest.fail(f"cannot create a database at {self.url}:{created}", pytrace=False)
        parts = urllib.parse.urlsplit(self.url)
        try:
            yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            dropped = self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if dropped.rc != 0:
                warnings.warn(f"could not drop database {name}:{dropped}")


class PgCluster:
    """A PostgreSQL cluster of one test's own (scripts/pg-cluster.sh), which the test may stop,
    start and restart under a running BugZot without disturbing anyone else's database."""

    def __init__(self):
        # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
        self.directory = Path(tempfile.mkdtemp(prefix="bugzot-pg-"))
        result = run(["bash", str(REPO / "scripts" / "pg-cluster.sh"), "start", str(self.directory)], timeout=180)
        if result.rc != 0:
            pytest.fail(f"cannot start a PostgreSQL cluster of its own:{result}", pytrace=False)
        self.url = result.stdout.strip().splitlines()[-1]
        self.port = urllib.parse.urlsplit(self.url).port

    def pg_ctl(self, *args: str) -> None:
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                          key=lambda p: [int(x) for x in p.parent.parent.name.split(".") if x.isdigit()])
        command = [str(binaries[-1]), "-D", str(self.directory / "data"), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = run(command, timeout=120)
        if result.rc != 0:
            raise AssertionError(f"pg_ctl failed:{result}")

    def stop(self) -> None:
        """Down: connections are refused until `start`."""
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self.pg_ctl("-w", "-l", str(self.directory / "server.log"), "-o",
                    f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def restart(self) -> None:
        """A fast restart: every connection is dropped at once."""
        # -l: the server's output goes to a file, so it never holds our pipe open.
        self.pg_ctl("-m", "fast", "-w", "-l", str(self.directory / "server.log"), "restart")

    def destroy(self) -> None:
        run(["bash", str(REPO / "scripts" / "pg-cluster.sh"), "stop", str(self.directory)], timeout=60)
