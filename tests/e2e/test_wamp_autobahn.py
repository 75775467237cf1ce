"""WAMP at /ws with autobahn-python (asyncio), the way an integration would use it.

Sessions join realm `bugzot` with a ticket (an API key or a login token), with salted WAMP-CRA
(the user's newest API key) or anonymously, and act with exactly the permissions they have over
REST: a change made through REST reaches the subscribers of its topics (per bug, per kind, per
product, by prefix or wildcard) cut to each subscriber's view — a confidential bug's events only
to those who may see it, a private comment only to insiders — and the bugzot.* procedures answer
as the REST routes they mirror, their errors as WAMP error URIs with the Bugzilla code. Both
serializers, JSON and MessagePack, carry the same.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions

from harness import ADMIN, DEV, OUTSIDER, PASSWORD, Rest
from wamp_support import Joined, JoinRefused, join, subscribe, ticket, wampcra, ws_url

SERIALIZERS = ["json", "msgpack"]
SCENARIO_TIMEOUT = 120  # seconds for one test's whole conversation


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, SCENARIO_TIMEOUT))


@dataclass
class World:
    url: str
    rest: dict[str, Rest]  # REST as each user (None: anonymous)
    keys: dict[str, str]  # each user's API key
    public_bug: int
    secret_bug: int  # in group `secret`: the admin sees it; dev and the outsider don't

    def ticket(self, login: str) -> dict:
        return ticket(login, self.keys[login])

    async def join(self, login: str | None, serializer: str = "json") -> Joined:
        return await join(self.url, authentication=self.ticket(login) if login else None, serializer=serializer)


def file_bug(rest: Rest, summary: str, **extra) -> int:
    body = {"product": "Widget", "component": "Backend", "version": "1.0", "summary": summary,
            "description": f"{summary}.", **extra}
    return rest.post("/bug", body, expect=(200, 201))["id"]


@pytest.fixture(scope="module")
def world(site, server) -> World:
    outsider_key = server.create_api_key(OUTSIDER)
    keys = {ADMIN: site.admin.api_key, DEV: site.dev_api_key, OUTSIDER: outsider_key}
    rest = {login: Rest(server.base_url, key) for login, key in keys.items()}
    rest[None] = Rest(server.base_url)
    return World(ws_url(server.port), rest, keys, file_bug(site.admin, "Public bug"),
                 file_bug(site.admin, "Confidential bug", groups=["secret"]))


async def in_thread(function, *args, **kwargs):
    """A blocking REST call, off the event loop that delivers the events."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def call_error(session, procedure: str, *args, **kwargs) -> ApplicationError:
    try:
        result = await session.call(procedure, *args, **kwargs)
    except ApplicationError as error:
        return error
    raise AssertionError(f"{procedure} answered {result!r}, expected an error")


def assert_wamp_error(error: ApplicationError, uri: str, code: int) -> None:
    """BugZot's error shape: the URI, [message] as Arguments, {"code", "message"} as ArgumentsKw."""
    assert error.error == uri, (error.error, error.args, error.kwargs)
    assert error.kwargs.get("code") == code, (error.error, error.args, error.kwargs)
    assert error.args and error.args[0] == error.kwargs.get("message"), (error.args, error.kwargs)


# --- authentication ------------------------------------------------------------------------------

@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_a_ticket_holding_an_api_key_joins_as_its_user(world, serializer):
    async def scenario():
        dev = await world.join(DEV, serializer)
        admin = await world.join(ADMIN, serializer)
        try:
            assert (dev.details.authid, dev.details.authrole, dev.details.authmethod) == (DEV, "user", "ticket")
            assert (admin.details.authid, admin.details.authrole) == (ADMIN, "admin")
            assert dev.details.realm == "bugzot"
        finally:
            await dev.leave()
            await admin.leave()

    run(scenario())


def test_a_ticket_holding_a_login_token_joins_as_its_user(world):
    token = world.rest[None].call("GET", "/login", params={"login": DEV, "password": PASSWORD})["token"]

    async def scenario():
        dev = await join(world.url, authentication=ticket(DEV, token))
        try:
            assert (dev.details.authid, dev.details.authmethod) == (DEV, "ticket")
            bug = await dev.session.call("bugzot.bug.get", world.public_bug)
            assert bug["bugs"][0]["id"] == world.public_bug
        finally:
            await dev.leave()

    run(scenario())


@pytest.mark.parametrize("authid, secret", [(DEV, "not-a-key"), (OUTSIDER, None), ("nobody@example.com", None)],
                         ids=["wrong key", "another user's key", "unknown user"])
def test_a_ticket_that_is_not_the_users_is_refused(world, authid, secret):
    secret = secret or world.keys[DEV]

    async def scenario():
        with pytest.raises(JoinRefused) as refused:
            await join(world.url, authentication=ticket(authid, secret))
        assert refused.value.reason == "wamp.error.not_authorized", refused.value

    run(scenario())


def test_salted_wampcra_with_the_users_newest_api_key(world, server):
    newest = server.create_api_key(DEV)

    async def scenario():
        dev = await join(world.url, authentication=wampcra(DEV, newest))
        try:
            assert (dev.details.authid, dev.details.authrole, dev.details.authmethod) == (DEV, "user", "wampcra")
            assert (await dev.session.call("bugzot.bug.get", world.public_bug))["bugs"][0]["id"] == world.public_bug
        finally:
            await dev.leave()
        with pytest.raises(JoinRefused) as refused:
            await join(world.url, authentication=wampcra(DEV, newest + "x"))
        assert refused.value.reason == "wamp.error.not_authorized", refused.value

    run(scenario())


def test_an_anonymous_session_sees_what_anonymous_rest_sees(world):
    async def scenario():
        anonymous = await join(world.url)
        try:
            assert anonymous.details.authrole == "anonymous"
            public = await anonymous.session.call("bugzot.bug.get", world.public_bug)
            assert public == await in_thread(world.rest[None].get, f"/bug/{world.public_bug}")
            assert_wamp_error(await call_error(anonymous.session, "bugzot.bug.get", world.secret_bug),
                              "bugzot.error.invalid_bug", 101)
            assert_wamp_error(await call_error(anonymous.session, "bugzot.bug.create", product="Widget",
                                               component="Backend", version="1.0", summary="s", description="d"),
                              "wamp.error.not_authorized", 410)
        finally:
            await anonymous.leave()

    run(scenario())


# --- events caused by REST changes -----------------------------------------------------------------

def assert_news(payload: dict, kind: str, bug_id: int, who: str = ADMIN) -> None:
    assert payload["kind"] == kind and payload["bug_id"] == bug_id, payload
    assert (payload["product"], payload["component"], payload["who"]) == ("Widget", "Backend", who), payload
    assert isinstance(payload["sequence"], int) and payload["sequence"] > 0, payload
    assert payload["when"].endswith("Z"), payload
    assert list(payload) == sorted(payload), payload


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_a_field_change_through_rest_reaches_the_bugs_subscribers(world, site, serializer):
    bug = world.public_bug
    summary = f"Renamed {uuid.uuid4().hex[:8]}"

    async def scenario():
        dev = await world.join(DEV, serializer)
        try:
            inbox = await subscribe(dev.session, f"bugzot.bug.changed.{bug}")
            before = (await in_thread(site.admin.bug, bug))["summary"]
            await in_thread(site.admin.put, f"/bug/{bug}", {"summary": summary})
            payload = (await inbox.next()).payload
            assert_news(payload, "changed", bug)
            assert payload["changes"] == {"summary": {"removed": before, "added": summary}}, payload
        finally:
            await dev.leave()

    run(scenario())


def test_a_comment_through_rest_reaches_subscribers_of_commented(world, site):
    bug = world.public_bug

    async def scenario():
        dev = await world.join(DEV)
        try:
            inbox = await subscribe(dev.session, "bugzot.bug.commented")
            made = await in_thread(site.admin.post, f"/bug/{bug}/comment", {"comment": "Seen on staging too"})
            payload = (await inbox.next()).payload
            assert_news(payload, "commented", bug)
            assert payload["comment"]["id"] == made["id"], payload
            comments = await in_thread(world.rest[DEV].comments, bug)
            assert payload["comment"] == next(c for c in comments if c["id"] == made["id"]), payload
        finally:
            await dev.leave()

    run(scenario())


def test_an_attachment_through_rest_reaches_subscribers_without_its_data(world, site):
    bug = world.public_bug

    async def scenario():
        dev = await world.join(DEV)
        try:
            inbox = await subscribe(dev.session, f"bugzot.bug.attachment.{bug}")
            made = await in_thread(site.admin.post, f"/bug/{bug}/attachment", {
                "ids": [bug], "file_name": "trace.txt", "summary": "Stack trace", "content_type": "text/plain",
                "data": base64.b64encode(b"Traceback (most recent call last)").decode()})
            payload = (await inbox.next()).payload
            assert_news(payload, "attachment", bug)
            attachment = payload["attachment"]
            assert attachment["id"] == made["ids"][0] and "data" not in attachment, payload
            listed = (await in_thread(world.rest[DEV].get, f"/bug/{bug}/attachment"))["bugs"][str(bug)]
            shown = next(a for a in listed if a["id"] == attachment["id"])
            assert attachment == {k: v for k, v in shown.items() if k != "data"}, payload
        finally:
            await dev.leave()

    run(scenario())


def test_a_new_bug_reaches_subscribers_of_created_as_rest_shows_it_to_them(world, site):
    async def scenario():
        dev = await world.join(DEV)
        try:
            inbox = await subscribe(dev.session, "bugzot.bug.created")
            bug = await in_thread(file_bug, site.admin, "Filed while watched")
            payload = (await inbox.next()).payload
            assert_news(payload, "created", bug)
            assert payload["bug"] == (await in_thread(world.rest[DEV].bug, bug)), payload
        finally:
            await dev.leave()

    run(scenario())


def test_prefix_and_wildcard_subscriptions_get_each_item_once_with_its_topic(world, site):
    bug = world.public_bug

    async def scenario():
        dev = await world.join(DEV)
        try:
            product = await subscribe(dev.session, "bugzot.product.Widget.", match="prefix")
            kinds = await subscribe(dev.session, "bugzot.bug.", match="prefix")
            this_bug = await subscribe(dev.session, f"bugzot.bug..{bug}", match="wildcard")
            await in_thread(site.admin.put, f"/bug/{bug}", {"summary": f"Prefixed {uuid.uuid4().hex[:8]}"})
            await in_thread(site.admin.post, f"/bug/{bug}/comment", {"comment": "And a comment"})
            for inbox, topic in [(product, f"bugzot.product.Widget.bug.{{}}.{bug}"),
                                 (kinds, f"bugzot.bug.{{}}.{bug}"), (this_bug, f"bugzot.bug.{{}}.{bug}")]:
                events = await inbox.until(lambda p: p["kind"] == "commented")
                assert [e.payload["kind"] for e in events] == ["changed", "commented"], inbox.topic
                assert [e.details.topic for e in events] == [topic.format("changed"), topic.format("commented")]
            await asyncio.sleep(0.5)  # a duplicate would come right behind
            assert [i.pending() for i in (product, kinds, this_bug)] == [[], [], []]
        finally:
            await dev.leave()

    run(scenario())


def test_a_product_name_is_percent_encoded_in_its_topics(world, site):
    site.admin.post("/product", {"name": "Big Box", "description": "A product with a space", "version": "1.0"})
    site.admin.post("/component", {"product": "Big Box", "name": "Lid", "description": "On top",
                                   "default_assignee": ADMIN})

    async def scenario():
        dev = await world.join(DEV)
        try:
            inbox = await subscribe(dev.session, "bugzot.product.Big%20Box.", match="prefix")
            bug = await in_thread(site.admin.post, "/bug", {"product": "Big Box", "component": "Lid", "version": "1.0",
                                                            "summary": "Lid squeaks", "description": "d"}, (200, 201))
            event = await inbox.next()
            assert (event.payload["kind"], event.payload["product"]) == ("created", "Big Box"), event.payload
            assert event.details.topic == f"bugzot.product.Big%20Box.bug.created.{bug['id']}"
        finally:
            await dev.leave()

    run(scenario())


# --- confidentiality ------------------------------------------------------------------------------

def test_a_confidential_bugs_event_reaches_insiders_and_no_outsider(world, site):
    async def scenario():
        admin, dev, outsider = [await world.join(login) for login in (ADMIN, DEV, OUTSIDER)]
        try:
            inboxes = {s: await subscribe(s.session, "bugzot.bug.", match="prefix") for s in (admin, dev, outsider)}
            await in_thread(site.admin.put, f"/bug/{world.secret_bug}", {"summary": "Still confidential"})
            await in_thread(site.admin.put, f"/bug/{world.public_bug}", {"summary": f"Marker {uuid.uuid4().hex[:8]}"})
            # Events arrive in commit order: once the marker is in, the confidential one would be too.
            is_marker = lambda p: p["bug_id"] == world.public_bug  # noqa: E731
            seen = {s: [e.payload["bug_id"] for e in await inboxes[s].until(is_marker)] for s in inboxes}
            assert seen[admin] == [world.secret_bug, world.public_bug]
            assert seen[dev] == [world.public_bug]
            assert seen[outsider] == [world.public_bug]
        finally:
            for s in (admin, dev, outsider):
                await s.leave()

    run(scenario())


def test_a_private_comment_reaches_insiders_only(world, site):
    bug = world.public_bug

    async def scenario():
        admin, dev = await world.join(ADMIN), await world.join(DEV)
        try:
            admin_inbox = await subscribe(admin.session, f"bugzot.bug.commented.{bug}")
            dev_inbox = await subscribe(dev.session, f"bugzot.bug.commented.{bug}")
            await in_thread(site.admin.post, f"/bug/{bug}/comment", {"comment": "Customer is ACME", "is_private": True})
            await in_thread(site.admin.post, f"/bug/{bug}/comment", {"comment": "Fixed upstream"})
            is_public = lambda p: p["comment"]["text"] == "Fixed upstream"  # noqa: E731
            assert [(e.payload["comment"]["text"], e.payload["comment"]["is_private"])
                    for e in await admin_inbox.until(is_public)] == [("Customer is ACME", True), ("Fixed upstream", False)]
            assert [e.payload["comment"]["text"] for e in await dev_inbox.until(is_public)] == ["Fixed upstream"]
        finally:
            await admin.leave()
            await dev.leave()

    run(scenario())


def test_a_bug_that_becomes_confidential_stops_producing_events_for_outsiders(world, site):
    bug = file_bug(site.admin, "Soon confidential")

    async def scenario():
        outsider = await world.join(OUTSIDER)
        try:
            inbox = await subscribe(outsider.session, "bugzot.bug.changed", match="prefix")
            await in_thread(site.admin.put, f"/bug/{bug}", {"summary": "Public still"})
            await in_thread(site.admin.put, f"/bug/{bug}", {"groups": {"add": ["secret"]}})
            await in_thread(site.admin.put, f"/bug/{bug}", {"summary": "Hidden now"})
            await in_thread(site.admin.put, f"/bug/{world.public_bug}", {"summary": f"Marker {uuid.uuid4().hex[:8]}"})
            events = [e.payload for e in await inbox.until(lambda p: p["bug_id"] == world.public_bug)]
            about_bug = [p["changes"] for p in events if p["bug_id"] == bug]
            assert about_bug[:1] == [{"summary": {"removed": "Soon confidential", "added": "Public still"}}], events
            assert not any("Hidden now" in str(changes) for changes in about_bug), events
        finally:
            await outsider.leave()

    run(scenario())


# --- procedures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_bug_get_and_search_answer_as_rest_does(world, site, serializer):
    word = f"findme{uuid.uuid4().hex[:8]}"
    public, secret = file_bug(site.admin, f"Public {word}"), file_bug(site.admin, f"Secret {word}", groups=["secret"])

    async def scenario():
        dev = await world.join(DEV, serializer)
        try:
            rest = world.rest[DEV]
            as_rest = await in_thread(rest.get, f"/bug/{public}")
            assert await dev.session.call("bugzot.bug.get", public) == as_rest
            assert await dev.session.call("bugzot.bug.get", ids=[public]) == as_rest
            found = await dev.session.call("bugzot.bug.search", product="Widget", summary=word)
            assert found == await in_thread(rest.get, "/bug", product="Widget", summary=word)
            assert [b["id"] for b in found["bugs"]] == [public]  # not the confidential one
            admin_found = await in_thread(site.admin.get, "/bug", product="Widget", summary=word)
            assert sorted(b["id"] for b in admin_found["bugs"]) == [public, secret]
        finally:
            await dev.leave()

    run(scenario())


def test_bug_create_update_comment_and_history_act_as_rest_does(world):
    async def scenario():
        dev = await world.join(DEV)
        try:
            made = await dev.session.call("bugzot.bug.create", product="Widget", component="Backend", version="1.0",
                                          summary="Filed over WAMP", description="Through bugzot.bug.create.")
            bug = made["id"]
            shown = await in_thread(world.rest[DEV].bug, bug)
            assert (shown["summary"], shown["creator"]) == ("Filed over WAMP", DEV)

            updated = await dev.session.call("bugzot.bug.update", ids=[bug], summary="Renamed over WAMP")
            assert [(b["id"], b["changes"]) for b in updated["bugs"]] == [
                (bug, {"summary": {"removed": "Filed over WAMP", "added": "Renamed over WAMP"}})]

            comment = await dev.session.call("bugzot.bug.comment", bug, comment="Commented over WAMP")
            comments = await in_thread(world.rest[DEV].comments, bug)
            assert [(c["id"], c["text"]) for c in comments[-1:]] == [(comment["id"], "Commented over WAMP")]

            history = await dev.session.call("bugzot.bug.history", bug)
            assert history == await in_thread(world.rest[DEV].get, f"/bug/{bug}/history")
            assert history["bugs"][0]["history"][-1]["changes"] == [
                {"added": "Renamed over WAMP", "field_name": "summary", "removed": "Filed over WAMP"}]
        finally:
            await dev.leave()

    run(scenario())


def test_procedure_errors_carry_a_wamp_uri_and_the_bugzilla_code(world):
    async def scenario():
        dev, outsider = await world.join(DEV), await world.join(OUTSIDER)
        try:
            missing = await call_error(dev.session, "bugzot.bug.get", 999999)
            assert_wamp_error(missing, "bugzot.error.invalid_bug", 101)
            assert missing.args[0] == "Bug #999999 does not exist."
            # A bug someone may not see answers exactly like one that does not exist.
            hidden = await call_error(outsider.session, "bugzot.bug.get", world.secret_bug)
            assert_wamp_error(hidden, "bugzot.error.invalid_bug", 101)
            assert hidden.args[0] == f"Bug #{world.secret_bug} does not exist."
            assert_wamp_error(await call_error(outsider.session, "bugzot.bug.update", ids=[world.public_bug],
                                               assigned_to=OUTSIDER), "wamp.error.not_authorized", 115)
            assert_wamp_error(await call_error(dev.session, "bugzot.bug.create", product="Widget"),
                              "wamp.error.invalid_argument", 50)  # a required parameter is missing
            unknown = await call_error(dev.session, "bugzot.bug.frobnicate", 1)
            assert unknown.error == "wamp.error.no_such_procedure"
            # The bugzot.* topics are the server's: a client may not publish to them.
            with pytest.raises(ApplicationError) as refused:
                await dev.session.publish("bugzot.bug.changed", {"forged": True},
                                          options=PublishOptions(acknowledge=True))
            assert refused.value.error == "wamp.error.not_authorized"
        finally:
            await dev.leave()
            await outsider.leave()

    run(scenario())


def test_events_since_replays_what_a_subscriber_may_see_oldest_first(world, site):
    async def scenario():
        dev = await world.join(DEV)
        try:
            inbox = await subscribe(dev.session, f"bugzot.bug.changed.{world.public_bug}")
            await in_thread(site.admin.put, f"/bug/{world.public_bug}", {"summary": "Replay from here"})
            start = (await inbox.next()).payload["sequence"]
            await in_thread(site.admin.put, f"/bug/{world.secret_bug}", {"summary": "Replay hides this"})
            await in_thread(site.admin.post, f"/bug/{world.public_bug}/comment", {"comment": "Replay one"})
            await in_thread(site.admin.put, f"/bug/{world.public_bug}", {"summary": "Replay two"})
            await inbox.next()
            replayed = await dev.session.call("bugzot.events.since", start)
            assert [(p["kind"], p["bug_id"]) for p in replayed["events"]] == [
                ("commented", world.public_bug), ("changed", world.public_bug)], replayed
            sequences = [p["sequence"] for p in replayed["events"]]
            assert sequences == sorted(sequences) and sequences[0] > start
            assert replayed["latest_sequence"] >= sequences[-1], replayed
        finally:
            await dev.leave()

    run(scenario())


def test_session_meta_procedures_are_for_administrators(world):
    async def scenario():
        admin, dev = await world.join(ADMIN), await world.join(DEV)
        try:
            assert await admin.session.call("wamp.session.count") >= 2
            assert dev.details.session in await admin.session.call("wamp.session.list")
            assert (await call_error(dev.session, "wamp.session.count")).error == "wamp.error.not_authorized"
        finally:
            await admin.leave()
            await dev.leave()

    run(scenario())
