"""Full-text search through the real `bugzilla` CLI: `--long_desc` (longdesc, all words) and
Bugzilla's `content` field with relevance order, private comments left out for outsiders."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def bugs(site) -> dict[str, int]:
    def file(summary: str, description: str) -> int:
        return site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0", "summary": summary,
                                        "description": description}, expect=(200,))["id"]
    filed = {"once": file("Slow render", "The renderer stalls"),
             "often": file("Renderer crash", "The renderer crashes; renderer logs attached")}
    site.admin.post(f"/bug/{filed['once']}/comment", {"comment": "Customer codename marmot", "is_private": True})
    return filed


def listed(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+)", output, re.MULTILINE)]


def test_long_desc_finds_words_in_comments(admin_cli, bugs):
    result = admin_cli("query", "--long_desc", "stalls renderer")

    assert result.rc == 0, result
    assert listed(result.stdout) == [bugs["once"]], result


def test_content_in_relevance_order(admin_cli, bugs):
    result = admin_cli("query", "--field", "content=renderer", "--field", "order=relevance")

    assert result.rc == 0, result
    assert listed(result.stdout) == [bugs["often"], bugs["once"]], result


def test_private_comments_are_not_found_by_outsiders(admin_cli, outsider_cli, bugs):
    assert listed(admin_cli("query", "--field", "content=marmot").stdout) == [bugs["once"]]
    result = outsider_cli("query", "--field", "content=marmot")

    assert result.rc == 0, result
    assert listed(result.stdout) == [], result


def test_a_content_search_without_words_is_a_bugzilla_error(admin_cli, bugs):
    result = admin_cli("query", "--field", "content=***")

    assert result.rc == 3, result
    assert "word" in result.output and "(code=53)" in result.output, result
