"""No silent caps: `bugzilla query` either gets every match or a clear error saying how to page."""

from __future__ import annotations

import re

import pytest

MAXIMUM = 2
SERVER_ARGS = ("--max-search-results", str(MAXIMUM))  # this module's server returns at most MAXIMUM bugs per search


@pytest.fixture(scope="module")
def bugs(site) -> list[int]:
    return [site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                     "summary": f"Bug number {n}", "description": "d"}, expect=(200,))["id"]
            for n in range(MAXIMUM + 1)]


def listed(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+)", output, re.MULTILINE)]


def test_a_query_matching_no_more_than_the_maximum_lists_every_bug(admin_cli, bugs):
    result = admin_cli("query", "-b", ",".join(map(str, bugs[:MAXIMUM])))

    assert result.rc == 0, result
    assert listed(result.stdout) == bugs[:MAXIMUM], result


def test_a_query_matching_more_is_refused_with_how_to_page(admin_cli, bugs):
    result = admin_cli("query", "-p", "Widget")

    assert result.rc == 3, result
    assert f"more than {MAXIMUM} bugs match" in result.output and "offset" in result.output, result
    assert "(code=53)" in result.output, result


def test_paging_within_the_maximum_reaches_every_bug(admin_cli, bugs):
    pages = [admin_cli("query", "-p", "Widget", "--field", f"limit={MAXIMUM}", "--field", f"offset={offset}")
             for offset in (0, MAXIMUM)]

    assert all(page.rc == 0 for page in pages), pages
    assert [bug for page in pages for bug in listed(page.stdout)] == bugs
