"""Starting on a fresh data folder and database, and the configuration every command shares."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time

from harness import BugzotServer, Postgres, child_env, run

PASSWORD = "a-long-password\n"


@contextlib.contextmanager
def fresh_storage(backend, tmp_path):
    """The storage flags of a fresh data folder (and a fresh PostgreSQL database on that backend)."""
    data = ["--data-dir", str(tmp_path / "data")]
    if backend is None:
        yield data, None
    else:
        with backend.fresh_database() as url:
            yield data + ["--database-url", url], url


def password_hash(tmp_path, url, login):
    query = f"SELECT password_hash FROM users WHERE login_name = '{login}'"
    if url is None:
        with contextlib.closing(sqlite3.connect(tmp_path / "data" / "bugzot.sqlite")) as db:
            return db.execute(query).fetchone()[0]
    result = Postgres(url).psql(query)
    assert result.rc == 0, result
    return result.stdout.strip()


def test_a_fresh_start_logs_no_error_and_no_warning(server):
    time.sleep(1.5)  # the worker has polled the queue a few times
    log = server.log_path.read_text()
    assert "no such table" not in log
    assert "hasn't been called yet" not in log  # no query before PostgreSQL's pool runs
    assert not re.search(r"^\S+ (warning|error|critical) ", log, re.MULTILINE), log


def test_commands_on_a_fresh_database_say_nothing_but_their_result(backend, bugzot_bin, tmp_path):
    with fresh_storage(backend, tmp_path) as (storage, _):
        migrated = run([str(bugzot_bin), "migrate", *storage])
        created = run([str(bugzot_bin), "user", "create", "--login", "a@example.com", *storage], input=PASSWORD)

    assert migrated.rc == 0 and migrated.stderr == "", migrated
    assert created.rc == 0 and created.stderr == "", created


def test_user_create_hashes_with_the_configured_bcrypt_cost(backend, bugzot_bin, tmp_path):
    with fresh_storage(backend, tmp_path) as (storage, url):
        from_env = run([str(bugzot_bin), "user", "create", "--login", "env@example.com", *storage],
                       input=PASSWORD, env=child_env(BUGZOT_BCRYPT_COST="12"))
        from_flag = run([str(bugzot_bin), "user", "create", "--login", "flag@example.com", "--bcrypt-cost", "11", *storage],
                        input=PASSWORD, env=child_env(BUGZOT_BCRYPT_COST="12"))
        assert from_env.rc == 0 and from_flag.rc == 0, (from_env, from_flag)
        assert re.match(r"^\$2[aby]\$12\$", password_hash(tmp_path, url, "env@example.com"))
        assert re.match(r"^\$2[aby]\$11\$", password_hash(tmp_path, url, "flag@example.com"))  # the flag wins


def test_every_command_reads_the_storage_options_alike(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    commands = [["serve"], ["worker"], ["migrate"], ["user", "create", "--login", "a@example.com"],
                ["apikey", "create", "--login", "a@example.com"], ["workflow", "show"]]
    for command in commands:
        flag = run([str(bugzot_bin), *command, *data, "--attachment-store", "tape"], input=PASSWORD)
        env = run([str(bugzot_bin), *command, *data], input=PASSWORD, env=child_env(BUGZOT_ATTACHMENT_STORE="tape"))
        cost = run([str(bugzot_bin), *command, *data], input=PASSWORD, env=child_env(BUGZOT_BCRYPT_COST="99"))
        assert flag.rc != 0 and "--attachment-store" in flag.stderr, flag
        assert env.rc != 0 and "BUGZOT_ATTACHMENT_STORE" in env.stderr, env
        assert cost.rc != 0 and "BUGZOT_BCRYPT_COST" in cost.stderr, cost
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_a_start_removes_what_crashed_uploads_and_mail_left_behind(bugzot_bin, tmp_path):
    server = BugzotServer(bugzot_bin, tmp_path, None)
    leftovers = [server.data_dir / "attachments" / "tmp" / "0b7c-crashed-upload", server.data_dir / "mail" / ".1-bug-1.eml.tmp"]
    kept = server.data_dir / "mail" / "1-bug-1.eml"
    long_ago = time.time() - 3600
    for path in [*leftovers, kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half of something")
        os.utime(path, (long_ago, long_ago))
    server.start()
    try:
        assert not any(path.exists() for path in leftovers)
        assert kept.exists()
        assert "removed the leftovers of uploads cut off by a crash" in server.log_path.read_text()
    finally:
        server.stop()
