"""A disposable SMTP server for BugZotMail's integration tests and the end-to-end notification
tests, built on aiosmtpd.

Listens on a loopback port (--port, else a free one), prints "READY <port>" on stdout once it accepts connections,
and stores every message it takes in the spool directory as <n>.eml (the raw bytes, dot-stuffing
undone) and <n>.json (the envelope plus the message as Python's email parser reads it).

Modes (--mode):
  plain                  accept everything, no TLS, no AUTH
  starttls-auth          STARTTLS required, then AUTH (PLAIN and LOGIN) required
  starttls-auth-login    as starttls-auth, but only AUTH LOGIN is offered
  smtps                  TLS from the first byte (implicit TLS)
  helo-only              answers EHLO with 502, so clients must fall back to HELO
  rcpt-451, rcpt-550     reply 451 / 550 to every RCPT TO
  reject-nobody          reply 550 to recipients whose address starts with "nobody"
  data-451, data-554     reply 451 / 554 after the message data
  drop-in-data           close the connection after the first line of message data
  silent                 accept connections and never say anything

The server exits when its standard input closes, so it can't outlive the test process that
started it; SIGTERM ends it too.

--size-limit N announces SIZE N; --smtputf8 offers SMTPUTF8. TLS modes write the self-signed
certificate they use (for 127.0.0.1 and localhost) to <spool>/server-cert.pem.

Needs only aiosmtpd (and the openssl command for the TLS modes).
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER = "bugzot"
PASSWORD = "s3cret:p@ss"


def make_tls_context(spool):
    cert = os.path.join(spool, "server-cert.pem")
    key = os.path.join(spool, "server-key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode())
    # handled=False: aiosmtpd itself then replies 235 or 535.
    return AuthResult(success=ok, handled=False)


class Handler:
    def __init__(self, mode, spool):
        self.mode = mode
        self.spool = spool
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "rcpt-451":
            return "451 4.3.0 Mailbox temporarily unavailable"
        if self.mode == "rcpt-550" or (self.mode == "reject-nobody" and address.startswith("nobody")):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "data-451":
            return "451 4.3.0 Try again later"
        if self.mode == "data-554":
            return "554 5.6.0 Message rejected"
        self.count += 1
        self.save(envelope)
        return f"250 2.0.0 Ok: queued as TEST{self.count}"

    def save(self, envelope):
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        defects = [repr(d) for part in message.walk() for d in part.defects]
        record = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[name, str(value)] for name, value in message.items()],
            "content_type": message.get_content_type(),
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
            "defects": defects,
        }
        # Numbered after what the spool already holds, so a restarted server (same spool) appends.
        while os.path.exists(os.path.join(self.spool, f"{self.count}.eml")):
            self.count += 1
        base = os.path.join(self.spool, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        # Written last and renamed into place, so a reader never sees half a record.
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")


class HeloOnlySMTP(SMTP):
    async def smtp_EHLO(self, hostname):
        await self.push("502 5.5.1 EHLO not implemented")


class DroppingSMTP(SMTP):
    async def smtp_DATA(self, arg):
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readline()
        self.transport.close()


class Silent(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport  # kept open, never written to


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


async def main():
    # A process started from a thread that blocks signals (Swift's test threads do) inherits the
    # mask; without this SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="plain", choices=[
        "plain", "starttls-auth", "starttls-auth-login", "smtps", "helo-only", "rcpt-451", "rcpt-550",
        "reject-nobody", "data-451", "data-554", "drop-in-data", "silent"])
    parser.add_argument("--spool", required=True)
    parser.add_argument("--size-limit", type=int, default=32 * 1024 * 1024)
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    handler = Handler(args.mode, args.spool)
    tls_modes = {"starttls-auth", "starttls-auth-login", "smtps"}
    tls_context = make_tls_context(args.spool) if args.mode in tls_modes else None
    smtp_class = {"helo-only": HeloOnlySMTP, "drop-in-data": DroppingSMTP}.get(args.mode, SMTP)
    options = dict(hostname="bugzot-test", data_size_limit=args.size_limit, enable_SMTPUTF8=args.smtputf8)
    if args.mode.startswith("starttls-auth"):
        options.update(
            tls_context=tls_context, require_starttls=True, authenticator=authenticate,
            auth_required=True, auth_require_tls=True)
        if args.mode == "starttls-auth-login":
            options["auth_exclude_mechanism"] = ["PLAIN"]

    if args.mode == "silent":
        factory = Silent
    else:
        def factory():
            return smtp_class(handler, loop=loop, **options)

    server = await loop.create_server(
        factory, host="127.0.0.1", port=args.port, ssl=tls_context if args.mode == "smtps" else None)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
