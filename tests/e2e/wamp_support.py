"""Plumbing for the /ws tests: autobahn-python sessions (asyncio), an inbox for the events a
subscription receives, and a raw WebSocket client (websockets' Sans-I/O protocol over a plain
socket) that sends whatever frames a test asks for, well formed or not."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import msgpack
import txaio

txaio.use_asyncio()

from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.wamp.types import SubscribeOptions  # noqa: E402
from websockets.client import ClientProtocol  # noqa: E402
from websockets.frames import Close, Frame, Opcode  # noqa: E402
from websockets.http11 import Response  # noqa: E402
from websockets.uri import parse_uri  # noqa: E402

REALM = "bugzot"
WS_TIMEOUT = 30  # seconds for one WAMP answer or event (generous: CI shares two cores)
MAX_SAFE_ID = 2 ** 53

# WAMP message codes (spec §2).
HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE, ERROR = 1, 2, 3, 4, 5, 6, 8
PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED, EVENT = 16, 17, 32, 33, 34, 35, 36
CALL, RESULT, REGISTER, REGISTERED, INVOCATION, YIELD = 48, 50, 64, 65, 68, 70


def ws_url(port: int, host: str = "127.0.0.1") -> str:
    return f"ws://{host}:{port}/ws"


# --- autobahn (asyncio) ------------------------------------------------------------------------

class JoinRefused(Exception):
    """The router ended the session before WELCOME: ABORT with `reason`, or the transport closed."""

    def __init__(self, reason: str | None, message: str | None):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(eq=False)
class Joined:
    """An established autobahn session and what WELCOME said about it."""
    session: Any
    details: Any  # autobahn's SessionDetails: authid, authrole, authmethod, session
    done: asyncio.Future
    left: asyncio.Future  # resolves with CloseDetails when the session ends

    async def leave(self) -> None:
        if self.session.is_attached():
            self.session.leave()
        await asyncio.wait([asyncio.ensure_future(self.done)], timeout=10)


async def join(url: str, *, authentication: dict | None = None, serializer: str = "json",
               realm: str = REALM, timeout: float = WS_TIMEOUT) -> Joined:
    """Joins `realm` through autobahn's Component, as an application would: `authentication` is
    Component's dict ({"ticket": {"authid", "ticket"}} or {"wampcra": {"authid", "secret"}}), None
    for an anonymous session. Raises JoinRefused if the router refuses."""
    loop = asyncio.get_running_loop()
    component = Component(
        transports=[{"type": "websocket", "url": url, "serializers": [serializer], "max_retries": 0}],
        realm=realm, authentication=authentication or {})
    joined: asyncio.Future = loop.create_future()
    left: asyncio.Future = loop.create_future()

    @component.on_join
    async def _joined(session, details):
        if not joined.done():
            joined.set_result((session, details))

    @component.on_leave
    async def _left(session, details):
        if not left.done():
            left.set_result(details)
        if not joined.done():
            joined.set_exception(JoinRefused(details.reason, details.message))

    done = asyncio.ensure_future(component.start(loop))

    def transport_ended(future: asyncio.Future) -> None:
        if not joined.done():
            error = future.exception() if not future.cancelled() else None
            joined.set_exception(JoinRefused(None, f"the connection ended before WELCOME ({error!r})"))

    done.add_done_callback(transport_ended)
    try:
        session, details = await asyncio.wait_for(asyncio.shield(joined), timeout)
    except JoinRefused:
        await asyncio.wait([done], timeout=10)  # the component ends by itself (max_retries 0)
        raise
    except asyncio.TimeoutError:
        component.stop()
        await asyncio.wait([done], timeout=10)
        raise AssertionError(f"no WELCOME from {url} within {timeout}s") from None
    return Joined(session, details, done, left)


def ticket(authid: str, secret: str) -> dict:
    return {"ticket": {"authid": authid, "ticket": secret}}


def wampcra(authid: str, secret: str) -> dict:
    return {"wampcra": {"authid": authid, "secret": secret}}


@dataclass
class Received:
    """One EVENT as a subscriber's handler saw it."""
    args: tuple
    kwargs: dict
    details: Any  # autobahn's EventDetails: topic (for pattern subscriptions), publication

    @property
    def payload(self) -> dict:
        """BugZot's events carry one dict as their only positional argument."""
        assert len(self.args) == 1 and isinstance(self.args[0], dict), self.args
        return self.args[0]


@dataclass
class Inbox:
    """What one subscription has received, in order."""
    topic: str
    subscription: Any = None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def handler(self, *args, details=None, **kwargs) -> None:
        self.queue.put_nowait(Received(args, kwargs, details))

    async def next(self, timeout: float = WS_TIMEOUT) -> Received:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"no event on {self.topic!r} within {timeout}s") from None

    async def until(self, predicate, timeout: float = WS_TIMEOUT) -> list[Received]:
        """Every event up to and including the first one whose payload satisfies `predicate`."""
        seen: list[Received] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching event on {self.topic!r} within {timeout}s; got "
                                     f"{[r.args for r in seen]}")
            event = await self.next(remaining)
            seen.append(event)
            if predicate(event.payload):
                return seen

    def pending(self) -> list[Received]:
        """What has arrived and was not read yet (nothing waits for more)."""
        items = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items


async def subscribe(session, topic: str, match: str | None = None) -> Inbox:
    inbox = Inbox(topic)
    inbox.subscription = await session.subscribe(inbox.handler, topic,
                                                 options=SubscribeOptions(match=match, details=True))
    return inbox


# --- raw frames (websockets' Sans-I/O client over a socket) -----------------------------------

class Closed(Exception):
    """The server closed the WebSocket (or the TCP connection)."""

    def __init__(self, code: int | None, reason: str | None):
        super().__init__(f"closed with {code} {reason!r}")
        self.code = code
        self.reason = reason


class RawSocket:
    """A WebSocket client that sends any frame: text that is not UTF-8, binary on a text
    subprotocol, fragments, floods. It reads only when the test asks it to."""

    def __init__(self, port: int, subprotocols: list[str] | None = ("wamp.2.json",), *, path: str = "/ws",
                 timeout: float = WS_TIMEOUT, headers: dict[str, str] | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.timeout = timeout
        self.protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}{path}"),
                                       subprotocols=list(subprotocols) if subprotocols else None,
                                       max_size=None)
        self.frames: deque[Frame] = deque()
        request = self.protocol.connect()
        for name, value in (headers or {}).items():
            request.headers[name] = value
        self.protocol.send_request(request)
        self.flush()
        self.response: Response | None = None
        while self.response is None:
            if not self._read(timeout) and self.response is None:
                raise AssertionError("the server closed the connection during the handshake")
        self.subprotocol = self.response.headers.get("Sec-WebSocket-Protocol")

    @property
    def accepted(self) -> bool:
        return self.response is not None and self.response.status_code == 101

    @property
    def binary(self) -> bool:
        return self.subprotocol == "wamp.2.msgpack"

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawSocket:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # sending

    def flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def send_text(self, data: bytes | str, fin: bool = True) -> None:
        self.protocol.send_text(data.encode() if isinstance(data, str) else data, fin=fin)
        self.flush()

    def send_binary(self, data: bytes, fin: bool = True) -> None:
        self.protocol.send_binary(data, fin=fin)
        self.flush()

    def send_continuation(self, data: bytes | str, fin: bool) -> None:
        self.protocol.send_continuation(data.encode() if isinstance(data, str) else data, fin=fin)
        self.flush()

    def send_text_start(self, size: int, sent: int = 65536) -> None:
        """The start of one text frame of `size` bytes: its header and the first `sent` bytes only,
        as a client would that announces a message too big to take."""
        self.protocol.send_text(b"x" * size)
        data = b"".join(self.protocol.data_to_send())
        self.sock.sendall(data[:sent])

    def readable(self) -> bool:
        """Whether the server has sent something (or closed) that was not read yet."""
        return bool(self.frames) or bool(select.select([self.sock], [], [], 0)[0])

    def encode(self, message: list) -> bytes:
        return msgpack.packb(message) if self.binary else json.dumps(message).encode()

    def send(self, message: list) -> None:
        """One WAMP message, serialized for the negotiated subprotocol."""
        data = self.encode(message)
        if self.binary:
            self.send_binary(data)
        else:
            self.send_text(data)

    # receiving

    def _read(self, timeout: float) -> bool:
        """Reads what the socket has; False once it reached the end."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                self.response = event
            else:
                self.frames.append(event)
        self.flush_quietly()
        return bool(data)

    def flush_quietly(self) -> None:
        try:
            self.flush()  # e.g. the answer to a close frame or a ping
        except OSError:
            pass

    def next_frame(self, timeout: float | None = None) -> Frame:
        """The next data frame; raises Closed once the server closed the WebSocket."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            while self.frames:
                frame = self.frames.popleft()
                if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                    return frame
                if frame.opcode == Opcode.CLOSE:
                    close = Close.parse(frame.data) if frame.data else None
                    raise Closed(close.code if close else None, close.reason if close else None)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"nothing from the server within {timeout or self.timeout}s")
            try:
                if not self._read(remaining):
                    raise Closed(self.protocol.close_code, self.protocol.close_reason)
            except socket.timeout:
                continue

    def recv(self, timeout: float | None = None) -> list:
        """The next WAMP message (a message may come in several frames)."""
        frame = self.next_frame(timeout)
        data, opcode = bytes(frame.data), frame.opcode
        while not frame.fin:
            frame = self.next_frame(timeout)
            data += bytes(frame.data)
        return msgpack.unpackb(data) if opcode == Opcode.BINARY else json.loads(data)

    def closed(self, timeout: float | None = None) -> Closed:
        """Reads until the server closes; what it closed with. Fails if a message comes first."""
        try:
            message = self.recv(timeout)
        except Closed as closed:
            return closed
        raise AssertionError(f"expected the server to close; it sent {message!r}")

    def messages_until_closed(self, timeout: float | None = None) -> tuple[list[list], Closed]:
        """Every message up to the close, and the close."""
        messages = []
        while True:
            try:
                messages.append(self.recv(timeout))
            except Closed as closed:
                return messages, closed

    # WAMP

    def hello(self, details: dict | None = None, realm: str = REALM) -> list:
        """HELLO as an anonymous subscriber/caller/publisher; the router's answer."""
        self.send([HELLO, realm, details or {"roles": {"subscriber": {}, "publisher": {}, "caller": {}},
                                             "authmethods": ["anonymous"]}])
        return self.recv()

    def hello_ticket(self, authid: str, secret: str, roles: dict | None = None) -> list:
        """HELLO, CHALLENGE, AUTHENTICATE with a ticket; WELCOME (or what came instead)."""
        self.send([HELLO, REALM, {"roles": roles or {"subscriber": {}, "publisher": {}, "caller": {}, "callee": {}},
                                  "authmethods": ["ticket"], "authid": authid}])
        challenge = self.recv()
        if challenge[0] != CHALLENGE:
            return challenge
        self.send([AUTHENTICATE, secret, {}])
        return self.recv()
