"""Statements per request: `--expose-sql-statements` puts each response's count in a header (for
benchmarks), and the request log line carries it always. The exact counts are pinned by the Swift
suite StatementCountTests."""

from __future__ import annotations

import contextlib

import pytest

from harness import BugzotServer, wait_until

HEADER = "X-BugZot-SQL-Statements"


@pytest.fixture(scope="module")
def server(backend, bugzot_bin, tmp_path_factory):
    """A server that exposes its statement counts."""
    database = backend.fresh_database() if backend else contextlib.nullcontext(None)
    with database as database_url:
        srv = BugzotServer(bugzot_bin, tmp_path_factory.mktemp("bugzot"), database_url,
                           extra_args=("--expose-sql-statements",))
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


def test_each_response_says_how_many_statements_it_took_and_the_log_line_too(site):
    bug = site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                   "summary": "Counted", "description": "d"}, expect=(200,))["id"]
    response = site.admin.session.get(f"{site.rest_url}/bug/{bug}",
                                      params={"Bugzilla_api_key": site.admin.api_key}, timeout=30)
    assert response.status_code == 200, response.text
    assert int(response.headers[HEADER]) >= 1
    version = site.admin.session.get(f"{site.rest_url}/version", timeout=30)
    assert version.headers[HEADER] == "0"
    line = f"path=/rest/bug/{bug} sql_statements={response.headers[HEADER]} status=200"
    assert wait_until(lambda: line in site.server.log(lines=400), timeout=10), site.server.log()
