"""Who may see and change what, as the real `bugzilla` CLI reports it.

A bug in the `secret` group is invisible to the outsider, who is in no group; a public bug is
visible and open to comments, but its assignee is not the outsider's to change. Errors arrive
as python-bugzilla prints them: "Server error: <message> (code=N)", exit code 3.
"""

import re

import pytest

from harness import ADMIN, OUTSIDER, PASSWORD

BUG_LINE = re.compile(r"^#(\d+)\s", re.M)


def listed(output: str) -> list[int]:
    return [int(m.group(1)) for m in BUG_LINE.finditer(output)]


def file_bug(site, summary: str, **extra) -> int:
    body = {"product": "Widget", "component": "Backend", "version": "1.0",
            "summary": summary, "description": f"{summary}.", **extra}
    # Stock Bugzilla 5 answers POST /rest/bug with 200 (a typo in its route table); 201 is fine too.
    return site.admin.post("/bug", body, expect=(200, 201))["id"]


@pytest.fixture(scope="module")
def secret_bug(site) -> int:
    return file_bug(site, "Leaked credentials", groups=["secret"])


@pytest.fixture(scope="module")
def public_bug(site) -> int:
    return file_bug(site, "Button is blue")


def test_secret_bug_is_in_the_secret_group(site, secret_bug):
    assert site.admin.bug(secret_bug)["groups"] == ["secret"]


def test_group_member_finds_the_secret_bug(admin_cli, secret_bug):
    result = admin_cli("query", "-b", str(secret_bug))

    assert result.rc == 0, result
    assert listed(result.stdout) == [secret_bug], result


def test_outsider_does_not_find_the_secret_bug(outsider_cli, secret_bug):
    result = outsider_cli("query", "-b", str(secret_bug))

    assert result.rc == 0, result
    assert listed(result.stdout) == [], result


def test_outsider_cannot_comment_on_the_secret_bug(outsider_cli, site, secret_bug):
    result = outsider_cli("modify", str(secret_bug), "--comment", "x")

    assert result.rc == 3, result
    # A hidden bug answers exactly like a missing one, so its existence does not leak.
    assert f"Bug #{secret_bug} does not exist. (code=101)" in result.output, result
    missing = outsider_cli("modify", "99999", "--comment", "x")
    assert (missing.rc, missing.output.replace("99999", str(secret_bug))) == (result.rc, result.output)
    assert [c["text"] for c in site.admin.comments(secret_bug)] == ["Leaked credentials."]


def test_outsider_may_comment_on_a_public_bug(outsider_cli, site, public_bug):
    result = outsider_cli("modify", str(public_bug), "--comment", "Me too")

    assert result.rc == 0, result
    last = site.admin.comments(public_bug)[-1]
    assert (last["text"], last["creator"]) == ("Me too", OUTSIDER)


def test_outsider_cannot_reassign_a_public_bug(outsider_cli, site, public_bug):
    result = outsider_cli("modify", str(public_bug), "--assignee", OUTSIDER)

    assert result.rc == 3, result
    assert "code=115" in result.output, result
    assert site.admin.bug(public_bug)["assigned_to"] == ADMIN


def test_wrong_password_is_refused(anonymous_cli):
    result = anonymous_cli("login", OUTSIDER, PASSWORD + "-wrong")

    assert result.rc == 1, result
    assert "Login failed" in result.output, result
    assert "code=300" in result.output, result
    assert not anonymous_cli.token_file.exists()
