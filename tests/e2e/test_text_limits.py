"""The table of text limits holds on the command line too: the CLI goes through the same rules."""

from __future__ import annotations

import subprocess


def bugzot(bugzot_bin, *args, input="", timeout=60):
    return subprocess.run([str(bugzot_bin), *args], input=input, capture_output=True, text=True, timeout=timeout)


def test_user_create_refuses_a_name_with_line_breaks_or_past_its_limit(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    two_lines = bugzot(bugzot_bin, "user", "create", "--login", "a@example.com", "--name", "Eve\nBcc: x@example.com", *data,
                       input="long password\n")
    too_long = bugzot(bugzot_bin, "user", "create", "--login", "b@example.com", "--name", "n" * 256, *data, input="long password\n")
    fine = bugzot(bugzot_bin, "user", "create", "--login", "c@example.com", "--name", "Zoë Ünïcode", *data, input="long password\n")

    assert (two_lines.returncode, two_lines.stderr.strip()) == (
        1, "bugzot: Invalid parameter 'real_name': must be one line, without control characters.")
    assert (too_long.returncode, too_long.stderr.strip()) == (1, "bugzot: Invalid parameter 'real_name': longer than 255 characters.")
    assert fine.returncode == 0, fine


def test_apikey_create_refuses_an_over_long_description(bugzot_bin, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    bugzot(bugzot_bin, "user", "create", "--login", "bot@example.com", *data, input="long password\n")
    result = bugzot(bugzot_bin, "apikey", "create", "--login", "bot@example.com", "--description", "d" * 201, *data)

    assert (result.returncode, result.stderr.strip()) == (1, "bugzot: Invalid parameter 'description': longer than 200 characters.")
