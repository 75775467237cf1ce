"""Many raw WAMP sessions in one process, for the fan-out and idle-session figures of
bench/wamp: each is a non-blocking socket driven by websockets' Sans-I/O client protocol, all of
them served by one selector loop. Each session joins with a ticket, may subscribe to one topic,
answers the server's pings, and notes every EVENT it receives with the time the kernel received
its bytes (SO_TIMESTAMPNS, CLOCK_REALTIME) — so a delivery's latency does not include the time
this Python process took to get round to reading 1,000 sockets."""

from __future__ import annotations

import json
import selectors
import socket
import struct
import time

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's value; Python names it from 3.12 on
TIMESPEC = struct.Struct("@ll")
HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE = 1, 2, 3, 4, 5, 6
PUBLISH, SUBSCRIBE, SUBSCRIBED, EVENT = 16, 32, 33, 36


class Peer:
    """One session: connect → handshake → HELLO (ticket) → WELCOME → SUBSCRIBE? → ready."""

    def __init__(self, port: int, authid: str, ticket: str, topic: str | None = None):
        self.authid, self.ticket, self.topic = authid, ticket, topic
        self.sock = socket.socket()
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.connect_ex(("127.0.0.1", port))
        self.protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}/ws"), subprotocols=["wamp.2.json"],
                                       max_size=None)
        self.protocol.send_request(self.protocol.connect())
        self.out = bytearray(b"".join(self.protocol.data_to_send()))
        self.state = "connecting"  # → joining → subscribing → ready | failed
        self.failure = ""
        self.events: list[tuple[int, object]] = []  # (kernel arrival ns, payload)
        self.request = 0

    # what the loop calls

    def on_readable(self) -> None:
        try:
            data, ancillary, _, _ = self.sock.recvmsg(1 << 18, socket.CMSG_SPACE(TIMESPEC.size))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            return self.fail(f"read failed: {error}")
        arrival = time.time_ns()
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = TIMESPEC.unpack(value[:TIMESPEC.size])
                arrival = seconds * 1_000_000_000 + nanoseconds
        if not data:
            self.protocol.receive_eof()
            return self.fail(self.failure or "the server closed the connection")
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    return self.fail(f"handshake answered {event.status_code}")
                self.state = "joining"
                self.send([HELLO, "bugzot", {"roles": {"subscriber": {}, "publisher": {}},
                                             "authmethods": ["ticket"], "authid": self.authid}])
            elif event.opcode == Opcode.TEXT:
                self.on_message(json.loads(event.data), arrival)
            elif event.opcode == Opcode.CLOSE:
                self.failure = f"closed: {bytes(event.data[2:]).decode(errors='replace')}"
        self.out += b"".join(self.protocol.data_to_send())  # pongs, the close answer

    def on_writable(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            return self.fail(f"write failed: {error}")
        del self.out[:sent]

    # WAMP

    def send(self, message: list) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        self.out += b"".join(self.protocol.data_to_send())

    def next_request(self) -> int:
        self.request += 1
        return self.request

    def on_message(self, message: list, arrival: int) -> None:
        code = message[0]
        if code == EVENT:
            self.events.append((arrival, message[4][0] if len(message) > 4 and message[4] else None))
        elif code == CHALLENGE:
            self.send([AUTHENTICATE, self.ticket, {}])
        elif code == WELCOME:
            if self.topic:
                self.state = "subscribing"
                self.send([SUBSCRIBE, self.next_request(), {}, self.topic])
            else:
                self.state = "ready"
        elif code == SUBSCRIBED:
            self.state = "ready"
        elif code == ABORT:
            self.fail(f"ABORT {message[2]}: {message[1].get('message')}")

    def fail(self, why: str) -> None:
        if self.state != "failed":
            self.state, self.failure = "failed", why

    def close(self) -> None:
        self.sock.close()


class Swarm:
    """Peers and the one loop that serves them all."""

    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.peers: list[Peer] = []

    def add(self, peer: Peer) -> Peer:
        self.peers.append(peer)
        self.selector.register(peer.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, peer)
        return peer

    def poll(self, timeout: float) -> None:
        """One round of I/O; write interest only while a peer has something to send."""
        for key, mask in self.selector.select(timeout):
            peer: Peer = key.data
            if mask & selectors.EVENT_READ:
                peer.on_readable()
            if mask & selectors.EVENT_WRITE and peer.out:
                peer.on_writable()
            self.update(peer)

    def update(self, peer: Peer) -> None:
        """After a peer read, wrote or was given something to send: what to wait for."""
        if peer.state == "failed":
            if peer.sock in self.selector.get_map():
                self.selector.unregister(peer.sock)
            return
        wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if peer.out else 0)
        if self.selector.get_key(peer.sock).events != wanted:
            self.selector.modify(peer.sock, wanted, peer)

    def run_until(self, done, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                failed = [p.failure for p in self.peers if p.state == "failed"]
                raise SystemExit(f"{what}: not done within {timeout}s ({len(failed)} sessions failed, "
                                 f"e.g. {failed[:3]})")
            self.poll(0.05)

    def join(self, port: int, count: int, authid, ticket, topic: str | None = None, batch: int = 200,
             timeout: float = 300) -> list[Peer]:
        """`count` sessions, at most `batch` joining at a time; `authid`/`ticket` map an index
        to the credentials. Fails the run if any cannot join."""
        joined: list[Peer] = []
        started = time.monotonic()
        while len(joined) < count:
            wave = [self.add(Peer(port, authid(len(joined) + i), ticket(len(joined) + i), topic))
                    for i in range(min(batch, count - len(joined)))]
            self.run_until(lambda: all(p.state in ("ready", "failed") for p in wave),
                           timeout - (time.monotonic() - started), f"joining {count} sessions")
            failed = [p for p in wave if p.state == "failed"]
            if failed:
                raise SystemExit(f"{len(failed)} of {count} sessions could not join: {failed[0].failure}")
            joined += wave
        return joined

    def idle(self, seconds: float) -> None:
        """Serves the peers (pings) for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.poll(min(0.5, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        for peer in self.peers:
            if peer.sock in self.selector.get_map():
                self.selector.unregister(peer.sock)
            peer.close()
        self.peers.clear()
