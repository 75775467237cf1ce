"""Fixtures for the end-to-end suite.

Every test module gets its own live server (fresh data folder, fresh database) with the same
small world: product Widget with component Backend, group `secret`, and three users — the
admin (also in `secret`), dev (editbugs) and an outsider (no groups). Each module runs once
per backend: SQLite, and PostgreSQL when BUGZOT_E2E_DATABASE_URL names a server on which we
may create databases.

Environment:
  BUGZOT_BIN                the `bugzot` executable (default: .build/debug/bugzot)
  BUGZOT_E2E_DATABASE_URL   postgres://… URL; unset → the postgres runs are skipped
  BUGZOT_BUGZILLA_CLI       the `bugzilla` script (default: next to this Python)
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import (ADMIN, DEV, OUTSIDER, PASSWORD, REPO, BugzillaCli, BugzotServer,
                     Postgres, Rest)


@pytest.fixture(scope="session")
def bugzot_bin() -> Path:
    path = Path(os.environ.get("BUGZOT_BIN") or REPO / ".build" / "debug" / "bugzot")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"BUGZOT_BIN={path} is not an executable file: build BugZot first "
                    "(swift build) or point BUGZOT_BIN at it", pytrace=False)
    return path


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request) -> Postgres | None:
    """None for SQLite (the server's default), or the PostgreSQL server to use."""
    if request.param == "sqlite":
        return None
    url = os.environ.get("BUGZOT_E2E_DATABASE_URL")
    if not url:
        pytest.skip("BUGZOT_E2E_DATABASE_URL is not set")
    return Postgres(url)


@pytest.fixture(scope="module")
def server(request, backend, bugzot_bin, tmp_path_factory):
    """The module's server, started with the module's SERVER_ARGS (flags of `bugzot serve`), if any."""
    database = backend.fresh_database() if backend else contextlib.nullcontext(None)
    with database as database_url:
        srv = BugzotServer(bugzot_bin, tmp_path_factory.mktemp("bugzot"), database_url,
                           tuple(getattr(request.module, "SERVER_ARGS", ())))
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


@dataclass
class Site:
    server: BugzotServer
    admin: Rest  # REST as the admin, with an API key
    dev_api_key: str

    @property
    def rest_url(self) -> str:
        return self.server.rest_url


@pytest.fixture(scope="module")
def site(server) -> Site:
    """The world every scenario starts from, made the way an administrator would."""
    server.create_user(ADMIN, "Admin", "--admin")
    admin = Rest(server.base_url, server.create_api_key(ADMIN))
    admin.post("/product", {"name": "Widget", "description": "The widget product",
                            "version": "1.0"})
    admin.post("/component", {"product": "Widget", "name": "Backend",
                              "description": "Server side", "default_assignee": ADMIN})
    admin.post("/group", {"name": "secret", "description": "Confidential",
                          "is_active": True})
    admin.put(f"/user/{ADMIN}", {"groups": {"add": ["secret"]}})
    server.create_user(DEV, "Dev", "--group", "editbugs")
    server.create_user(OUTSIDER, "Outsider")
    return Site(server, admin, server.create_api_key(DEV))


def logged_in_cli(site: Site, home: Path, login: str) -> BugzillaCli:
    cli = BugzillaCli(site.rest_url, home)
    result = cli("login", login, PASSWORD)
    assert result.rc == 0 and "Login successful" in result.stdout, result
    return cli


@pytest.fixture(scope="module")
def admin_cli(site, tmp_path_factory) -> BugzillaCli:
    """The admin, logged in with a password (token cached in its HOME)."""
    return logged_in_cli(site, tmp_path_factory.mktemp("home-admin"), ADMIN)


@pytest.fixture(scope="module")
def outsider_cli(site, tmp_path_factory) -> BugzillaCli:
    """The outsider, logged in with a password."""
    return logged_in_cli(site, tmp_path_factory.mktemp("home-outsider"), OUTSIDER)


@pytest.fixture(scope="module")
def dev_cli(site, tmp_path_factory) -> BugzillaCli:
    """dev, authenticated by an API key in its bugzillarc (no login)."""
    cli = BugzillaCli(site.rest_url, tmp_path_factory.mktemp("home-dev"))
    cli.use_api_key(site.dev_api_key)
    return cli


@pytest.fixture
def anonymous_cli(site, tmp_path) -> BugzillaCli:
    """A CLI with an empty HOME: no token, no API key."""
    return BugzillaCli(site.rest_url, tmp_path / "home")


class Story(dict):
    """What earlier steps of a scenario made (bug ids), for the steps after them."""

    def need(self, key: str):
        if key not in self:
            pytest.skip(f"an earlier step did not record {key!r} (see its failure)")
        return self[key]


@pytest.fixture(scope="module")
def story(server) -> Story:
    return Story()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of the server's log to every failed test."""
    outcome = yield
    report = outcome.get_result()
    srv = item.funcargs.get("server") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(srv, BugzotServer):
        report.sections.append((f"bugzot server log ({srv.log_path})", srv.log()))
