"""wampy 1.1.0 (JSON only, random 32-bit request ids, its own call_timeout feature) joins /ws with
ticket authentication, calls bugzot.bug.get and gets the bug REST shows, then an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness import DEV, REPO, Rest, child_env, run
from wamp_support import ws_url

CLIENT = Path(__file__).with_name("wampy_client.py")


def wampy_python() -> str:
    """wampy's venv of its own (scripts/test.sh makes it; tests/e2e/requirements-wampy.txt)."""
    python = os.environ.get("BUGZOT_WAMPY_PYTHON") or str(Path.home() / ".cache" / "bugzot-venv-wampy" / "bin" / "python")
    if not os.access(python, os.X_OK):
        pytest.fail(f"wampy's Python ({python}) is not installed: run `bash scripts/test.sh` or set "
                    "BUGZOT_WAMPY_PYTHON", pytrace=False)
    return python


def wampy(server, authid: str, secret: str, *calls: str):
    result = run([wampy_python(), str(CLIENT), ws_url(server.port), authid, *calls],
                 env=child_env(WAMPYSECRET=secret), cwd=REPO)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result, lines


def test_wampy_joins_with_a_ticket_and_calls_bug_get(site, server):
    bug = site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                   "summary": "Seen by wampy", "description": "d"}, expect=(200, 201))["id"]
    as_rest = Rest(server.base_url, site.dev_api_key).get(f"/bug/{bug}")

    result, lines = wampy(server, DEV, site.dev_api_key, f"bugzot.bug.get:[{bug}]", "bugzot.bug.get:[999999]")

    assert result.rc == 0, result
    assert lines[0] == {"joined": DEV}, result
    assert lines[1] == {"procedure": "bugzot.bug.get", "result": as_rest}, result
    error = lines[2]
    assert (error["error"], error["kwargs"]["code"]) == ("bugzot.error.invalid_bug", 101), result
    assert error["args"] == ["Bug #999999 does not exist."], result


def test_wampy_with_a_wrong_ticket_is_refused(site, server):
    result, lines = wampy(server, DEV, "not-a-key", "bugzot.bug.get:[1]")

    assert result.rc != 0 and lines == [], result
    assert "WampyError" in result.stderr, result
