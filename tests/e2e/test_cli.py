"""The `bugzot` command line: clear one-line failures and the administrator's commands."""

from __future__ import annotations

import socket
import subprocess
import time


def bugzot(bugzot_bin, *args, input="", timeout=60):
    return subprocess.run([str(bugzot_bin), *args], input=input, capture_output=True, text=True, timeout=timeout)


def test_help_lists_every_command(bugzot_bin):
    result = bugzot(bugzot_bin, "--help")

    assert result.returncode == 0, result
    for command in ("serve", "migrate", "user", "apikey", "workflow"):
        assert command in result.stdout


def test_a_bad_flag_is_refused(bugzot_bin, tmp_path):
    result = bugzot(bugzot_bin, "serve", "--port", "eighty", "--data-dir", str(tmp_path))

    assert result.returncode != 0
    assert "eighty" in result.stderr


def test_a_port_in_use_is_one_clear_line(bugzot_bin, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = bugzot(bugzot_bin, "serve", "--port", str(port), "--data-dir", str(tmp_path))

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("bugzot: The port is already in use")


def test_an_unreachable_database_fails_within_seconds(bugzot_bin, tmp_path):
    started = time.monotonic()
    result = bugzot(bugzot_bin, "migrate", "--database-url", "postgres://bugzot@127.0.0.1:1/none")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("bugzot: Cannot reach the database")
    assert time.monotonic() - started < 45


def test_a_malformed_database_url_is_refused(bugzot_bin):
    result = bugzot(bugzot_bin, "migrate", "--database-url", "mysql://somewhere/db")

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "bugzot: Unsupported database URL. Expected postgres://user:password@host:port/database"
        "[?sslmode=disable|require].")


def test_user_create_reads_the_password_and_refuses_duplicates(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    first = bugzot(bugzot_bin, "user", "create", "--login", "Boss@Example.com", "--admin", *data, input="long password\n")
    again = bugzot(bugzot_bin, "user", "create", "--login", "boss@example.com", *data, input="long password\n")
    no_password = bugzot(bugzot_bin, "user", "create", "--login", "x@example.com", *data)
    short = bugzot(bugzot_bin, "user", "create", "--login", "y@example.com", *data, input="short\n")

    assert first.returncode == 0, first
    assert "boss@example.com in admin" in first.stdout
    assert (again.returncode, again.stderr.strip()) == (1, "bugzot: There is already an account with the login name boss@example.com.")
    assert no_password.returncode == 1 and "No password on standard input" in no_password.stderr
    assert short.returncode == 1 and "at least 8 characters" in short.stderr


def test_apikey_create_prints_the_key_once(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    bugzot(bugzot_bin, "user", "create", "--login", "bot@example.com", *data, input="long password\n")
    result = bugzot(bugzot_bin, "apikey", "create", "--login", "bot@example.com", "--description", "CI", *data)
    missing = bugzot(bugzot_bin, "apikey", "create", "--login", "nobody@example.com", *data)

    assert result.returncode == 0, result
    key = result.stdout.strip().splitlines()[-1]
    assert len(key) == 40 and key.isalnum()
    assert missing.returncode == 1 and "There is no user" in missing.stderr


def test_the_workflow_can_be_switched_to_bugzilla5(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    switched = bugzot(bugzot_bin, "workflow", "use", "bugzilla5", *data)
    shown = bugzot(bugzot_bin, "workflow", "show", *data)
    unknown = bugzot(bugzot_bin, "workflow", "use", "kanban", *data)

    assert switched.returncode == 0, switched
    assert "Workflow: bugzilla5" in shown.stdout
    assert "CONFIRMED (open) → IN_PROGRESS, RESOLVED" in shown.stdout
    assert unknown.returncode != 0 and "Unknown workflow 'kanban'" in unknown.stderr


def test_serve_on_an_empty_database_says_how_to_create_the_first_administrator(server):
    assert "bugzot user create --login" in server.log_path.read_text()


def test_a_bad_search_maximum_is_refused(bugzot_bin, tmp_path):
    result = bugzot(bugzot_bin, "serve", "--max-search-results", "0", "--data-dir", str(tmp_path))

    assert result.returncode != 0
    assert "--max-search-results (or BUGZOT_MAX_SEARCH_RESULTS) must be between 1 and 10000000." in result.stderr
