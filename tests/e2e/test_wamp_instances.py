"""Two `bugzot serve` instances on one PostgreSQL database, as behind a load balancer: a subscriber
on instance A receives the change made through instance B (by REST or by a WAMP call), and a
subscriber that disconnects, misses changes and reconnects resumes with bugzot.events.since and
misses nothing. (PostgreSQL only: SQLite is one process.)"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass

import pytest

from harness import ADMIN, DEV, BugzotServer, Postgres, Rest
from wamp_support import join, subscribe, ticket, ws_url

SCENARIO_TIMEOUT = 120  # seconds for one test's whole conversation


@dataclass
class Pair:
    a: BugzotServer
    b: BugzotServer
    admin_b: Rest  # REST through B as the admin
    dev_key: str
    bug: int


@pytest.fixture(scope="module")
def pair(bugzot_bin, tmp_path_factory):
    url = os.environ.get("BUGZOT_E2E_DATABASE_URL")
    if not url:
        pytest.skip("two instances need PostgreSQL: BUGZOT_E2E_DATABASE_URL is not set")
    with Postgres(url).fresh_database() as database_url:
        a = BugzotServer(bugzot_bin, tmp_path_factory.mktemp("instance-a"), database_url)
        b = BugzotServer(bugzot_bin, tmp_path_factory.mktemp("instance-b"), database_url)
        a.start()  # migrates
        try:
            b.start()
            try:
                a.create_user(ADMIN, "Admin", "--admin")
                a.create_user(DEV, "Dev", "--group", "editbugs")
                admin_b = Rest(b.base_url, a.create_api_key(ADMIN))
                admin_b.post("/product", {"name": "Widget", "description": "The widget product", "version": "1.0"})
                admin_b.post("/component", {"product": "Widget", "name": "Backend", "description": "Server side",
                                            "default_assignee": ADMIN})
                bug = admin_b.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                            "summary": "Shared", "description": "d"}, expect=(200, 201))["id"]
                yield Pair(a, b, admin_b, a.create_api_key(DEV), bug)
            finally:
                b.stop()
        finally:
            a.stop()


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, SCENARIO_TIMEOUT))


def test_a_subscriber_on_one_instance_gets_changes_made_through_the_other(pair):
    async def scenario():
        on_a = await join(ws_url(pair.a.port), authentication=ticket(DEV, pair.dev_key))
        on_b = await join(ws_url(pair.b.port), authentication=ticket(ADMIN, pair.admin_b.api_key))
        try:
            inbox = await subscribe(on_a.session, f"bugzot.bug.changed.{pair.bug}")
            by_rest = f"Through B's REST {uuid.uuid4().hex[:6]}"
            await asyncio.to_thread(pair.admin_b.put, f"/bug/{pair.bug}", {"summary": by_rest})
            assert (await inbox.next()).payload["changes"]["summary"]["added"] == by_rest

            by_wamp = f"Through B's /ws {uuid.uuid4().hex[:6]}"
            await on_b.session.call("bugzot.bug.update", ids=[pair.bug], summary=by_wamp)
            event = (await inbox.next()).payload
            assert (event["changes"]["summary"]["added"], event["who"]) == (by_wamp, ADMIN)
        finally:
            await on_a.leave()
            await on_b.leave()

    run(scenario())


def test_a_subscriber_that_reconnects_resumes_with_events_since_and_misses_nothing(pair):
    bug, rest = pair.bug, pair.admin_b

    async def scenario():
        first = await join(ws_url(pair.a.port), authentication=ticket(DEV, pair.dev_key))
        inbox = await subscribe(first.session, f"bugzot.bug..{bug}", match="wildcard")
        await asyncio.to_thread(rest.put, f"/bug/{bug}", {"summary": "Seen live"})
        last_seen = (await inbox.next()).payload["sequence"]
        await first.leave()

        # Missed while away, all made through B.
        await asyncio.to_thread(rest.put, f"/bug/{bug}", {"summary": "Missed one"})
        await asyncio.to_thread(rest.post, f"/bug/{bug}/comment", {"comment": "Missed two"})
        await asyncio.to_thread(rest.put, f"/bug/{bug}", {"summary": "Missed three"})

        again = await join(ws_url(pair.a.port), authentication=ticket(DEV, pair.dev_key))
        try:
            # Subscribe first, then replay: whatever commits in between comes both ways, never neither.
            inbox = await subscribe(again.session, f"bugzot.bug..{bug}", match="wildcard")
            replayed = (await again.session.call("bugzot.events.since", last_seen))["events"]
            await asyncio.to_thread(rest.put, f"/bug/{bug}", {"summary": "Live again"})
            live = (await inbox.next()).payload

            seen = {p["sequence"]: p for p in [*replayed, live]}
            story = [(p["kind"], p.get("changes", {}).get("summary", {}).get("added") or p["comment"]["text"])
                     for _, p in sorted(seen.items())]
            assert story == [("changed", "Missed one"), ("commented", "Missed two"), ("changed", "Missed three"),
                             ("changed", "Live again")], story
            assert all(s > last_seen for s in seen)
        finally:
            await again.leave()

    run(scenario())
