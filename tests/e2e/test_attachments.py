"""Attachments through python-bugzilla's `attach` command, which reads the file from standard
input whenever that is not a terminal (so the tests pass the file's text as input)."""

from __future__ import annotations

import re
import socket
import time

LOG = "first line\nsecond line\n"


def file_bug(site, summary: str) -> int:
    return site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                    "summary": summary, "description": "d"}, expect=(200,))["id"]


def test_attach_then_get_and_getall(admin_cli, site, tmp_path):
    bug = file_bug(site, "Has a log")

    result = admin_cli("attach", str(bug), "-f", "crash.log", "-d", "The crash log", "-t", "text/plain", input=LOG)

    assert result.rc == 0, result
    created = re.search(r"Created attachment (\d+) on bug (\d+)", result.stdout)
    assert created and int(created.group(2)) == bug, result
    attachment = int(created.group(1))

    got = admin_cli("attach", "--get", str(attachment), cwd=tmp_path)
    assert got.rc == 0, got
    assert (tmp_path / "crash.log").read_text() == LOG

    second = admin_cli("attach", str(bug), "-f", "notes.txt", "-d", "Notes", "-t", "text/plain", input="notes\n")
    assert second.rc == 0, second
    all_dir = tmp_path / "all"
    all_dir.mkdir()
    everything = admin_cli("attach", "--getall", str(bug), cwd=all_dir)
    assert everything.rc == 0, everything
    assert sorted(p.name for p in all_dir.iterdir()) == ["crash.log", "notes.txt"]


def test_private_attachment_is_hidden_from_outsiders(admin_cli, outsider_cli, site, tmp_path):
    bug = file_bug(site, "Has a private dump")

    result = admin_cli("attach", str(bug), "-f", "dump.txt", "-d", "Customer dump", "-t", "text/plain",
                       "--private", input="secret data\n")
    assert result.rc == 0, result
    attachment = int(re.search(r"Created attachment (\d+)", result.stdout).group(1))

    denied = outsider_cli("attach", "--get", str(attachment), cwd=tmp_path)
    assert denied.rc == 3, denied
    assert f"Attachment #{attachment} does not exist." in denied.output
    assert not (tmp_path / "dump.txt").exists()
    listing = site.admin.get(f"/bug/{bug}/attachment")
    assert [a["is_private"] for a in listing["bugs"][str(bug)]] == [1]


def test_an_empty_file_is_refused(admin_cli, site):
    bug = file_bug(site, "Empty upload")

    result = admin_cli("attach", str(bug), "-f", "empty.txt", "-d", "Nothing", "-t", "text/plain", input="")

    assert result.rc == 3, result
    assert "code=606" in result.output


def test_an_upload_cut_off_mid_stream_leaves_nothing_behind(site, server):
    bug = file_bug(site, "Flaky network")
    store = server.data_dir / "attachments"

    def stored_files():
        return sorted(p for p in store.rglob("*") if p.is_file())

    before = stored_files()
    path = (f"/api/bugs/{bug}/attachments?file_name=big.bin&summary=Big"
            f"&Bugzilla_api_key={site.admin.api_key}")

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                      "Content-Length: 1000000\r\n\r\n").encode() + b"x" * 200_000)
    # The server notices the closed connection; give it a moment to clean up.
    deadline = time.monotonic() + 10
    while stored_files() != before and time.monotonic() < deadline:
        time.sleep(0.2)

    assert stored_files() == before
    assert site.admin.get(f"/bug/{bug}/attachment")["bugs"][str(bug)] == []
