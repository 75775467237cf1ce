"""Notifications end to end: a live `bugzot serve` sending mail through a real SMTP server
(aiosmtpd), with faults injected — the server down, 4xx and 5xx replies, the connection dropped
during DATA — a STARTTLS + AUTH configuration, signed webhooks checked by a receiver, and a
crash (SIGKILL) while mail is pending. Nothing may be lost and nothing sent twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import signal
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from harness import (ADMIN, DEV, SMTP_PASSWORD, SMTP_USER, BugzotServer, Rest, SmtpServer, child_env, wait_until)

RETRY = "1"  # seconds before a failed job's first retry: faults heal within the test
LEASE = "8"  # seconds before a killed worker's jobs run again (each SMTP step times out after 2)


@pytest.fixture(scope="module")
def smtp(backend, tmp_path_factory):
    """One per backend run (bug numbers start again with each database)."""
    server = SmtpServer(tmp_path_factory.mktemp("spool"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(backend, bugzot_bin, tmp_path_factory, smtp):
    """This module's BugZot sends through `smtp` and retries failed jobs after about a second."""
    database = backend.fresh_database() if backend else contextlib.nullcontext(None)
    with database as database_url:
        srv = BugzotServer(
            bugzot_bin, tmp_path_factory.mktemp("bugzot"), database_url,
            ("--smtp-url", f"smtp://127.0.0.1:{smtp.port}?timeout=2", "--job-retry-seconds", RETRY, "--job-max-attempts", "4",
             "--job-lease-seconds", LEASE))
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
def dev(site) -> Rest:
    return Rest(site.server.base_url, site.dev_api_key)


def file_bug(dev: Rest, summary: str) -> int:
    return dev.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                             "summary": summary, "description": "Steps to reproduce."}, expect=(200,))["id"]


def to_admin_about(bug: int, text: str | None = None):
    """Messages to the admin (the default assignee) about `bug`, optionally with `text` in them."""
    def match(message: dict) -> bool:
        return (message["rcpt_tos"] == [ADMIN] and message["header"].get("subject", "").startswith(f"[Bug {bug}]")
                and (text is None or text in (message["text"] or "")))
    return match


def test_a_change_mails_the_people_on_the_bug_in_one_thread(site, smtp, dev):
    bug = file_bug(dev, "Mail me about this")
    [filed] = smtp.wait_for(to_admin_about(bug))
    assert filed["header"]["subject"] == f"[Bug {bug}] New: Mail me about this"
    assert filed["header"]["x-bugzot-reason"] == "AssignedTo"
    assert filed["header"]["list-id"].startswith("Widget <widget.")
    assert filed["content_type"] == "multipart/alternative" and filed["defects"] == []
    dev.post(f"/bug/{bug}/comment", {"comment": "First reply"})
    [reply] = smtp.wait_for(to_admin_about(bug, "First reply"))
    assert reply["header"]["in-reply-to"] == filed["header"]["message-id"]
    assert reply["header"]["references"] == filed["header"]["message-id"]
    # The one who made the change hears nothing of it.
    assert not [m for m in smtp.messages() if m["rcpt_tos"] == [DEV]]


def test_server_down_then_up_nothing_lost(site, smtp, dev):
    bug = file_bug(dev, "While the mail server was down")
    smtp.wait_for(to_admin_about(bug))
    smtp.stop()
    dev.post(f"/bug/{bug}/comment", {"comment": "Sent while down"})
    time.sleep(2.5)  # at least one refused attempt
    smtp.start()
    assert len(smtp.wait_for(to_admin_about(bug, "Sent while down"))) == 1


@pytest.mark.parametrize("mode", ["data-451", "rcpt-451", "drop-in-data"])
def test_transient_failures_are_retried(site, smtp, dev, mode):
    bug = file_bug(dev, f"Retried after {mode}")
    smtp.wait_for(to_admin_about(bug))
    smtp.start(mode)
    dev.post(f"/bug/{bug}/comment", {"comment": f"Through {mode}"})
    admin = site.admin
    assert wait_until(lambda: any(job["last_error"] for job in admin.api("GET", "/jobs?state=queued")["jobs"])), \
        "the failed attempt was not recorded"
    smtp.start("plain")
    assert len(smtp.wait_for(to_admin_about(bug, f"Through {mode}"))) == 1
    time.sleep(1.5)
    assert len([m for m in smtp.messages() if to_admin_about(bug, f"Through {mode}")(m)]) == 1


def test_permanent_failure_is_dead_until_an_admin_retries(site, smtp, dev):
    bug = file_bug(dev, "Refused for good")
    smtp.wait_for(to_admin_about(bug))
    smtp.start("data-554")
    dev.post(f"/bug/{bug}/comment", {"comment": "Rejected once"})
    admin = site.admin
    dead = []
    assert wait_until(lambda: dead.extend(j for j in admin.api("GET", "/jobs?state=dead")["jobs"] if "554" in j["last_error"]) or dead)
    assert dead[0]["attempts"] == 1  # a 5xx is not retried
    smtp.start("plain")
    time.sleep(2)
    assert not smtp.wait_for(to_admin_about(bug, "Rejected once"), timeout=0)
    admin.api("POST", f"/jobs/{dead[0]['id']}/retry")
    assert len(smtp.wait_for(to_admin_about(bug, "Rejected once"))) == 1


def test_crash_with_mail_pending_loses_and_repeats_nothing(site, smtp, dev):
    bug = file_bug(dev, "Crash test")
    smtp.wait_for(to_admin_about(bug))
    smtp.stop()
    texts = [f"Pending {n}" for n in range(5)]
    for text in texts:
        dev.post(f"/bug/{bug}/comment", {"comment": text})
    time.sleep(1.5)
    site.server.kill()
    smtp.start()
    site.server.start()
    # Jobs the killed worker held come back when their lease runs out.
    for text in texts:
        assert len(smtp.wait_for(to_admin_about(bug, text), timeout=60)) == 1, text
    time.sleep(2)
    for text in texts:
        assert len([m for m in smtp.messages() if to_admin_about(bug, text)(m)]) == 1, text


class Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint that checks each delivery's signature and freshness."""
    secret = b"0123456789abcdef-webhook"
    deliveries: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["X-BugZot-Timestamp"]
        expected = "sha256=" + hmac.new(self.secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, self.headers["X-BugZot-Signature"]) and abs(time.time() - int(timestamp)) < 300
        self.deliveries.append({"valid": valid, "event": self.headers["X-BugZot-Event"], "body": json.loads(body),
                                "delivery": self.headers["X-BugZot-Delivery"]})
        self.send_response(204 if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhooks_are_signed_and_logged(site, dev):
    Receiver.deliveries = []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        hook = site.admin.api("POST", "/webhooks", expect=(201,), body={
            "url": url, "secret": Receiver.secret.decode(), "product": "Widget",
            "events": ["bug.created", "bug.commented"]})["id"]
        bug = file_bug(dev, "Tell the other system")
        dev.post(f"/bug/{bug}/comment", {"comment": "Hooked"})
        assert wait_until(lambda: len([d for d in Receiver.deliveries if d["body"]["bug"]["id"] == bug]) >= 2)
        mine = [d for d in Receiver.deliveries if d["body"]["bug"]["id"] == bug]
        assert all(d["valid"] for d in mine)
        # Deliveries run in parallel: receivers order them by the change's time, not by arrival.
        assert sorted(d["event"] for d in mine) == ["bug.commented", "bug.created"]
        [commented] = [d for d in mine if d["event"] == "bug.commented"]
        assert commented["body"]["comments"][0]["text"] == "Hooked"
        log = site.admin.api("GET", f"/webhooks/{hook}/deliveries")["deliveries"]
        assert {entry["outcome"] for entry in log} == {"delivered"} and len(log) >= 2
        # A forged request is refused by the receiver: the signature covers timestamp and body.
        forged = requests.post(url, data=b'{"bug":{"id":1}}', timeout=10, headers={
            "X-BugZot-Timestamp": str(int(time.time())), "X-BugZot-Signature": "sha256=" + "0" * 64,
            "X-BugZot-Event": "bug.changed", "Content-Type": "application/json"},
            proxies={"http": None})
        assert forged.status_code == 401
    finally:
        receiver.shutdown()


def test_activation_mail_goes_through_smtp(site, smtp):
    http = requests.Session()
    http.trust_env = False
    base = site.server.base_url
    page = http.get(f"{base}/signup", timeout=10).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = http.post(f"{base}/signup", timeout=30, data={
        "csrf_token": token, "login": "carol@example.com", "name": "Carol", "password": "plum-tree-42-blossom",
        "password_confirm": "plum-tree-42-blossom"})
    assert "Check your email" in answer.text
    [mail] = smtp.wait_for(lambda m: m["rcpt_tos"] == ["carol@example.com"])
    link = next(word for word in mail["text"].split() if "/activate?token=" in word)
    assert urllib.parse.urlparse(link).netloc == urllib.parse.urlparse(base).netloc
    activated = http.get(link, timeout=30)
    assert "Your account is active" in activated.text


def test_starttls_and_auth(backend, bugzot_bin, tmp_path_factory, site):
    """Against a server that requires STARTTLS and then AUTH (its certificate is self-signed)."""
    secure = SmtpServer(tmp_path_factory.mktemp("secure-spool"))
    secure.start("starttls-auth")
    password = urllib.parse.quote(SMTP_PASSWORD, safe="")
    srv = BugzotServer(bugzot_bin, tmp_path_factory.mktemp("bugzot-tls"), site.server.database_url, (
        "--smtp-url", f"smtp://{SMTP_USER}:{password}@127.0.0.1:{secure.port}?starttls=required&tls_verify=none",
        "--job-retry-seconds", RETRY))
    srv.data_dir = site.server.data_dir  # the same site: same database and files
    try:
        site.server.stop()
        srv.start()
        dev = Rest(srv.base_url, site.dev_api_key)
        bug = file_bug(dev, "Over TLS")
        [mail] = secure.wait_for(to_admin_about(bug))
        assert mail["header"]["subject"] == f"[Bug {bug}] New: Over TLS"
    finally:
        srv.stop()
        secure.stop()
        site.server.start()


def test_a_separate_worker_process_sends_the_mail(site, smtp, bugzot_bin, dev):
    """`serve --no-worker` only queues; `bugzot worker` (another process) sends."""
    server = site.server
    server.stop()
    server.extra_args.append("--no-worker")
    server.start()
    worker = None
    try:
        bug = file_bug(dev, "Queued by serve, sent by worker")
        time.sleep(2)
        assert not smtp.wait_for(to_admin_about(bug), timeout=0), "serve --no-worker sent mail itself"
        log = open(server.log_path.parent / "worker.log", "wb")
        worker = subprocess.Popen(
            [str(bugzot_bin), "worker", *server.storage_args(), "--smtp-url", f"smtp://127.0.0.1:{smtp.port}",
             "--job-retry-seconds", RETRY], stdout=log, stderr=subprocess.STDOUT, env=child_env())
        assert len(smtp.wait_for(to_admin_about(bug))) == 1
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0  # a clean stop on SIGTERM
    finally:
        if worker and worker.poll() is None:
            worker.kill()
        server.stop()
        server.extra_args.remove("--no-worker")
        server.start()
