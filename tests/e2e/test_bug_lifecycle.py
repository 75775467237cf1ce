"""A bug's life, driven through the real `bugzilla` CLI (python-bugzilla 3.3.0).

One step per test, in order: later steps work on the bug filed by `test_new_files_a_bug`.
The admin works with a password login (cached token), dev with an API key. Every effect is
checked through the REST API, not through the CLI that caused it.
"""

import json
import re

import pytest

from harness import ADMIN, DEV, OUTSIDER, PASSWORD, BugzillaCli, Rest

SUMMARY = "Crash on save"
DESCRIPTION = "Saving a file crashes the editor."

# python-bugzilla prints one bug per line as "#%-6s %-10s - %s - %s" (id, status, assignee, summary).
BUG_LINE = re.compile(r"^#(\d+)\s+(\S+)\s+- (\S*) - (.*)$", re.M)


def listed(output: str) -> list[int]:
    return [int(m.group(1)) for m in BUG_LINE.finditer(output)]


def test_version_is_bugzilla_5(site):
    assert Rest(site.server.base_url).get("/version") == {"version": "5.0.4"}


def test_login_with_password_caches_a_token(anonymous_cli):
    result = anonymous_cli("login", ADMIN, PASSWORD)

    assert result.rc == 0, result
    assert "Login successful" in result.stdout, result
    assert f"[{anonymous_cli.netloc}]" in anonymous_cli.token_file.read_text()
    # The cached token is what authenticates the next command.
    check = anonymous_cli("--ensure-logged-in", "info", "--products")
    assert check.rc == 0, check


def test_info_lists_products(admin_cli):
    result = admin_cli("info", "--products")

    assert result.rc == 0, result
    assert "Widget" in result.stdout.splitlines(), result


def test_new_files_a_bug(admin_cli, site, story):
    result = admin_cli("new", "-p", "Widget", "-c", "Backend", "-v", "1.0",
                       "-t", SUMMARY, "-l", DESCRIPTION)

    assert result.rc == 0, result
    line = BUG_LINE.search(result.stdout)
    assert line, result
    bug_id = story["bug"] = int(line.group(1))
    assert line.group(2, 3, 4) == ("NEW", ADMIN, SUMMARY), result
    bug = site.admin.bug(bug_id)
    assert (bug["product"], bug["component"], bug["version"]) == ("Widget", "Backend", "1.0")
    assert (bug["summary"], bug["status"], bug["creator"]) == (SUMMARY, "NEW", ADMIN)
    assert site.admin.comments(bug_id)[0]["text"] == DESCRIPTION


@pytest.mark.parametrize("criteria", [["-p", "Widget"], ["-s", "NEW"], ["-t", "Crash"], ["-t", "crash on SAVE"]],
                         ids=["by-product", "by-status", "by-summary-word", "by-summary-phrase"])
def test_query_finds_the_bug(admin_cli, story, criteria):
    bug_id = story.need("bug")

    result = admin_cli("query", *criteria)

    assert result.rc == 0, result
    assert listed(result.stdout) == [bug_id], result


def test_query_for_something_missing_finds_nothing(admin_cli, story):
    story.need("bug")

    result = admin_cli("query", "-t", "no such words anywhere")

    assert result.rc == 0, result
    assert listed(result.stdout) == [], result


def test_query_as_json_prints_the_bug(admin_cli, story):
    bug_id = story.need("bug")

    result = admin_cli("query", "-b", str(bug_id), "--json")

    assert result.rc == 0, result
    bugs = json.loads(result.stdout)["bugs"]
    assert [(b["id"], b["summary"]) for b in bugs] == [(bug_id, SUMMARY)]
    assert type(bugs[0]["id"]) is int


def test_api_key_from_bugzillarc_authenticates(dev_cli, story):
    bug_id = story.need("bug")

    result = dev_cli("--ensure-logged-in", "query", "-b", str(bug_id))

    assert result.rc == 0, result
    assert listed(result.stdout) == [bug_id], result


def modify(cli: BugzillaCli, bug_id: int, *args: str) -> None:
    result = cli("modify", str(bug_id), *args)
    assert result.rc == 0, result


def test_modify_status(dev_cli, site, story):
    bug_id = story.need("bug")

    modify(dev_cli, bug_id, "-s", "ASSIGNED")

    assert site.admin.bug(bug_id)["status"] == "ASSIGNED"


def test_modify_assignee(dev_cli, site, story):
    bug_id = story.need("bug")

    modify(dev_cli, bug_id, "--assignee", DEV)

    assert site.admin.bug(bug_id)["assigned_to"] == DEV


def test_modify_adds_to_cc(admin_cli, site, story):
    bug_id = story.need("bug")

    modify(admin_cli, bug_id, "--cc", OUTSIDER)

    assert OUTSIDER in site.admin.bug(bug_id)["cc"]


def test_modify_removes_from_cc(admin_cli, site, story):
    bug_id = story.need("bug")

    modify(admin_cli, bug_id, f"--cc=-{OUTSIDER}")

    assert OUTSIDER not in site.admin.bug(bug_id)["cc"]


def test_modify_adds_a_comment(admin_cli, site, story):
    bug_id = story.need("bug")

    modify(admin_cli, bug_id, "--comment", "hello")

    last = site.admin.comments(bug_id)[-1]
    assert (last["text"], last["is_private"], last["creator"]) == ("hello", False, ADMIN)


def test_modify_adds_a_private_comment(admin_cli, site, story):
    bug_id = story.need("bug")

    modify(admin_cli, bug_id, "--comment", "secret note", "--private")

    last = site.admin.comments(bug_id)[-1]
    assert (last["text"], last["is_private"]) == ("secret note", True)


def test_close_as_fixed(admin_cli, site, story):
    bug_id = story.need("bug")

    modify(admin_cli, bug_id, "-k", "FIXED")

    bug = site.admin.bug(bug_id)
    assert (bug["status"], bug["resolution"]) == ("CLOSED", "FIXED")


def test_new_with_api_key_is_reported_by_the_key_owner(dev_cli, site, story):
    story.need("bug")

    result = dev_cli("new", "-p", "Widget", "-c", "Backend", "-v", "1.0",
                     "-t", "Crash when saving twice", "-l", "Same crash again.")

    assert result.rc == 0, result
    line = BUG_LINE.search(result.stdout)
    assert line, result
    story["second bug"] = int(line.group(1))
    assert site.admin.bug(story["second bug"])["creator"] == DEV


def test_mark_as_duplicate(admin_cli, site, story):
    bug_id, dupe_id = story.need("bug"), story.need("second bug")

    modify(admin_cli, dupe_id, "-d", str(bug_id))

    dupe = site.admin.bug(dupe_id)
    assert (dupe["status"], dupe["resolution"], dupe["dupe_of"]) == ("CLOSED", "DUPLICATE", bug_id)
