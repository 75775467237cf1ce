"""Advanced search through the real `bugzilla` CLI: boolean charts with OR groups, relative dates,
regular expressions, history operators and quicksearch, as python-bugzilla sends them."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def bugs(site) -> dict[str, int]:
    def file(summary: str, severity: str) -> int:
        return site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0", "summary": summary,
                                        "description": "d", "severity": severity}, expect=(200,))["id"]
    filed = {"save": file("Crash on save", "critical"), "load": file("Crash on load", "normal"),
             "slow": file("Slow startup", "critical")}
    site.admin.put(f"/bug/{filed['load']}", {"status": "ASSIGNED"})
    return filed


def listed(output: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+)", output, re.MULTILINE)]


def fields(*pairs: str) -> list[str]:
    return [argument for pair in pairs for argument in ("--field", pair)]


def test_an_or_group_inside_an_and_chart(admin_cli, bugs):
    result = admin_cli("query", *fields("f1=bug_severity", "o1=equals", "v1=critical", "f2=OP", "j2=OR",
                                        "f3=short_desc", "o3=substring", "v3=load", "f4=short_desc", "o4=substring",
                                        "v4=startup", "f5=CP"))

    assert result.rc == 0, result
    assert listed(result.stdout) == [bugs["slow"]], result


def test_j_top_or_and_a_negated_row(admin_cli, bugs):
    result = admin_cli("query", *fields("j_top=OR", "f1=short_desc", "o1=equals", "v1=Crash on save",
                                        "f2=short_desc", "o2=regexp", "v2=^Slow", "n2=0"))

    assert result.rc == 0, result
    assert listed(result.stdout) == [bugs["save"], bugs["slow"]], result


def test_relative_dates_and_history(admin_cli, bugs):
    recent = admin_cli("query", *fields("f1=creation_ts", "o1=greaterthan", "v1=-1d", "f2=bug_status", "o2=changedto",
                                        "v2=ASSIGNED"))

    assert recent.rc == 0, recent
    assert listed(recent.stdout) == [bugs["load"]], recent


def test_a_bad_regexp_is_a_bugzilla_error(admin_cli, bugs):
    result = admin_cli("query", *fields("f1=short_desc", "o1=regexp", "v1=(unclosed"))

    assert result.rc == 3, result
    assert "regular expression" in result.output and "(code=53)" in result.output, result


def test_an_unclosed_group_is_a_bugzilla_error(admin_cli, bugs):
    result = admin_cli("query", *fields("f1=OP", "f2=short_desc", "v2=x"))

    assert result.rc == 3, result
    assert "never closed" in result.output and "(code=53)" in result.output, result


def test_quicksearch_with_the_help_pages_grammar(admin_cli, bugs):
    result = admin_cli("query", "--quicksearch", "ALL #crash -status:ASSIGNED sev:critical")

    assert result.rc == 0, result
    assert listed(result.stdout) == [bugs["save"]], result
