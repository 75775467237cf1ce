"""Hostile and malformed traffic at /ws from a raw WebSocket client (websockets' Sans-I/O protocol
over a socket): each gets the answer RFC 6455 and the WAMP spec (§7) give it — HTTP 400 without a
WAMP subprotocol; close 1009 for a message past the limit, whole or in fragments; 1007 for text
that is not UTF-8; 1003 for a frame of the other kind than the subprotocol's; ABORT
wamp.error.protocol_violation, then close, for a protocol violation — and a client that floods
without reading is dropped without growing the server's memory. The server keeps serving."""

from __future__ import annotations

import contextlib
import socket
import time

import re

import msgpack
import pytest
import requests

from harness import DEV, PASSWORD
from wamp_support import (ABORT, ERROR, GOODBYE, HELLO, MAX_SAFE_ID, PUBLISH, SUBSCRIBE, SUBSCRIBED, WELCOME,
                          YIELD, Closed, RawSocket)

MESSAGE_LIMIT = 1024 * 1024  # the router's largest message (bytes; RealtimeSettings.maxMessageBytes)
DOS_TIMEOUT = 60  # seconds a hostile client may take to be dealt with (generous: CI shares two cores)
ANONYMOUS_HELLO = [HELLO, "bugzot", {"roles": {"subscriber": {}, "caller": {}}, "authmethods": ["anonymous"]}]


@contextlib.contextmanager
def welcomed(server, subprotocol: str = "wamp.2.json", login: str | None = None, key: str | None = None):
    """A raw session past WELCOME: anonymous, or with a ticket."""
    with RawSocket(server.port, [subprotocol]) as ws:
        assert ws.accepted and ws.subprotocol == subprotocol, ws.response
        welcome = ws.hello_ticket(login, key) if login else ws.hello()
        assert welcome[0] == WELCOME, welcome
        yield ws


def assert_still_serving(server) -> None:
    assert server.proc.poll() is None, server.log()
    with welcomed(server) as ws:
        ws.send([SUBSCRIBE, 1, {}, "bugzot.bug.changed"])
        assert ws.recv()[:2] == [SUBSCRIBED, 1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


# --- the handshake --------------------------------------------------------------------------------

def web_session_cookie(server, login: str) -> str:
    """Signs in through the web login form; the session cookie it sets."""
    browser = requests.Session()
    page = browser.get(server.base_url + "/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser.post(server.base_url + "/login", data={"login": login, "password": PASSWORD, "csrf_token": token},
                 allow_redirects=False).raise_for_status()
    return browser.cookies["bugzot_session"]


@pytest.mark.parametrize("origin, authid", [("this site", DEV), (None, DEV), ("https://evil.example", "anonymous"),
                                            ("http://127.0.0.1:1", "anonymous")],
                         ids=["this-site", "no-origin", "another-site", "another-port"])
def test_the_session_cookie_signs_in_only_pages_of_this_site(site, server, origin, authid):
    """A page of another site (or another port) that opens a socket here can't act with the
    visitor's session (cross-site WebSocket hijacking): the cookie counts only with this origin."""
    headers = {"Cookie": "bugzot_session=" + web_session_cookie(server, DEV)}
    if origin:
        headers["Origin"] = f"http://127.0.0.1:{server.port}" if origin == "this site" else origin
    with RawSocket(server.port, headers=headers) as ws:
        ws.send([HELLO, "bugzot", {"roles": {"subscriber": {}}, "authmethods": ["cookie", "anonymous"]}])
        welcome = ws.recv()
        assert welcome[0] == WELCOME and welcome[2]["authid"] == authid, welcome


@pytest.mark.parametrize("offered", [None, ["mqtt"], ["wamp.2.cbor"]], ids=["none", "unknown", "cbor"])
def test_a_handshake_without_a_wamp_subprotocol_we_speak_gets_400(server, offered):
    with RawSocket(server.port, offered) as ws:
        assert ws.response.status_code == 400, ws.response


@pytest.mark.parametrize("subprotocol", ["wamp.2.json", "wamp.2.msgpack"])
def test_each_subprotocol_is_chosen_when_offered_and_welcomes(server, subprotocol):
    with RawSocket(server.port, ["mqtt", subprotocol]) as ws:
        assert ws.response.status_code == 101 and ws.subprotocol == subprotocol
        welcome = ws.hello()
        assert welcome[0] == WELCOME and 0 < welcome[1] <= MAX_SAFE_ID, welcome
        assert welcome[2]["roles"] and set(welcome[2]["roles"]) <= {"broker", "dealer"}, welcome


# --- frames ---------------------------------------------------------------------------------------

def test_a_message_past_the_limit_closes_with_1009(server):
    with welcomed(server) as ws:
        ws.send_text_start(MESSAGE_LIMIT + 1)
        assert ws.closed(DOS_TIMEOUT).code == 1009
    assert_still_serving(server)


def test_a_fragmented_message_is_reassembled(server):
    hello = msgpack.packb(ANONYMOUS_HELLO)
    with RawSocket(server.port, ["wamp.2.msgpack"]) as ws:
        ws.send_binary(hello[:5], fin=False)
        ws.send_continuation(hello[5:30], fin=False)
        ws.send_continuation(hello[30:], fin=True)
        assert ws.recv()[0] == WELCOME
    with welcomed(server) as ws:
        ws.send_text(b'[32, 7, {}, "bugzot.bug', fin=False)
        ws.send_continuation(b".changed", fin=False)
        ws.send_continuation(b'"]', fin=True)
        assert ws.recv()[:2] == [SUBSCRIBED, 7]


def test_fragments_adding_up_past_the_limit_close_with_1009(server):
    fragment = b" " * 65536  # JSON whitespace: valid text however it ends
    with welcomed(server) as ws:
        ws.send_text(b"[32, 1, {}, ", fin=False)
        sent = 0
        with contextlib.suppress(OSError):  # the server may stop reading once it has closed
            while sent <= 2 * MESSAGE_LIMIT and not ws.readable():
                ws.send_continuation(fragment, fin=False)
                sent += len(fragment)
        assert sent > MESSAGE_LIMIT - len(fragment), "the server closed before the limit"
        assert ws.closed(DOS_TIMEOUT).code == 1009
    assert_still_serving(server)


def test_text_that_is_not_utf8_closes_with_1007(server):
    with welcomed(server) as ws:
        ws.send_text(b'[32, 1, {}, "bugzot.\xff\xfe"]')
        assert ws.closed().code == 1007


def test_a_binary_frame_on_json_closes_with_1003(server):
    with welcomed(server) as ws:
        ws.send_binary(msgpack.packb([SUBSCRIBE, 1, {}, "bugzot.bug.changed"]))
        assert ws.closed().code == 1003


def test_a_text_frame_on_msgpack_closes_with_1003(server):
    with welcomed(server, "wamp.2.msgpack") as ws:
        ws.send_text(b'[32, 1, {}, "bugzot.bug.changed"]')
        assert ws.closed().code == 1003


def test_a_client_that_floods_and_never_reads_is_dropped_and_memory_stays_bounded(site, server):
    """Every PUBLISH makes a PUBLISHED and an EVENT of 16 KiB back to a client that reads none of
    them: its queue is bounded, so it is dropped long before the 200 MB it asks for are queued."""
    pid = server.proc.pid
    before = rss_kib(pid)
    peak = before
    payload = "x" * 16384
    with welcomed(server, login=DEV, key=site.dev_api_key) as ws:
        ws.send([SUBSCRIBE, 1, {}, "com.example.flood"])
        ws.sock.settimeout(DOS_TIMEOUT)
        sent = 0
        started = time.monotonic()
        try:
            for request in range(2, 12_800):
                ws.send([PUBLISH, request, {"acknowledge": True, "exclude_me": False}, "com.example.flood", [payload]])
                sent += 1
                if request % 256 == 0:
                    peak = max(peak, rss_kib(pid))
        except (OSError, socket.timeout):
            pass  # dropped (reset), or the server reads no more from it
        peak = max(peak, rss_kib(pid))
        # Now read: what was queued for it, then the end. It must come, and soon.
        ws.sock.settimeout(DOS_TIMEOUT)
        ended = False
        while time.monotonic() - started < 3 * DOS_TIMEOUT:
            try:
                if not ws.sock.recv(1 << 20):
                    ended = True
                    break
            except ConnectionResetError:
                ended = True
                break
            except socket.timeout:
                break
        assert ended, f"the flooding client was not dropped (it sent {sent} publishes)"
    growth_mib = (peak - before) / 1024
    assert growth_mib < 100, f"the server grew by {growth_mib:.0f} MiB while a client flooded it"
    assert_still_serving(server)


# --- WAMP protocol violations (spec §7) -----------------------------------------------------------

VIOLATIONS = {
    "second HELLO": (True, ANONYMOUS_HELLO),
    "SUBSCRIBE before HELLO": (False, [SUBSCRIBE, 1, {}, "bugzot.bug.changed"]),
    "GOODBYE before HELLO": (False, [GOODBYE, {}, "wamp.close.normal"]),
    "unknown message type": (True, [999, 1, {}]),
    "wrong length": (True, [SUBSCRIBE, 1, {}]),
    "wrong type": (True, [SUBSCRIBE, "1", {}, "bugzot.bug.changed"]),
    "id past 2^53": (True, [SUBSCRIBE, MAX_SAFE_ID + 1, {}, "bugzot.bug.changed"]),
    "negative id": (True, [SUBSCRIBE, -1, {}, "bugzot.bug.changed"]),
    "YIELD for an unknown invocation": (True, [YIELD, 4242, {}]),
    "ERROR of an invalid request type": (True, [ERROR, 1, 1, {}, "com.example.error"]),
    "empty list": (True, []),
    "not a list": (True, {"type": 32}),
}


@pytest.mark.parametrize("subprotocol", ["wamp.2.json", "wamp.2.msgpack"])
@pytest.mark.parametrize("violation", list(VIOLATIONS))
def test_a_protocol_violation_is_answered_with_abort_then_close(server, violation, subprotocol):
    established, message = VIOLATIONS[violation]
    with RawSocket(server.port, [subprotocol]) as ws:
        if established:
            assert ws.hello()[0] == WELCOME
        ws.send(message)
        messages, closed = ws.messages_until_closed()
    assert len(messages) == 1 and messages[0][0] == ABORT, messages
    assert messages[0][2] == "wamp.error.protocol_violation" and messages[0][1]["message"], messages
    assert isinstance(closed, Closed)


def test_a_message_that_does_not_parse_is_a_protocol_violation(server):
    with welcomed(server) as ws:
        ws.send_text(b"[32, 1, {}, ")
        messages, _ = ws.messages_until_closed()
    assert [m[0] for m in messages] == [ABORT] and messages[0][2] == "wamp.error.protocol_violation"


def test_an_unknown_realm_is_aborted_with_no_such_realm(server):
    with RawSocket(server.port) as ws:
        answer = ws.hello(realm="realm1")
    assert answer[0] == ABORT and answer[2] == "wamp.error.no_such_realm", answer


def test_goodbye_is_answered_with_goodbye(server):
    with welcomed(server) as ws:
        ws.send([GOODBYE, {}, "wamp.close.normal"])
        answer = ws.recv()
    assert answer[0] == GOODBYE and isinstance(answer[1], dict) and answer[2].startswith("wamp."), answer


def test_a_bad_uri_is_an_error_and_the_session_goes_on(server):
    with welcomed(server) as ws:
        ws.send([SUBSCRIBE, 3, {}, "bugzot..bad uri#"])
        error = ws.recv()
        assert error[:3] == [ERROR, SUBSCRIBE, 3] and error[4] == "wamp.error.invalid_uri", error
        # Request ids are echoed whatever they are (wampy's are random), up to 2^53.
        ws.send([SUBSCRIBE, MAX_SAFE_ID, {}, "bugzot.bug.changed"])
        assert ws.recv()[:2] == [SUBSCRIBED, MAX_SAFE_ID]
