#!/usr/bin/env bash
# WAMP router benchmark: BugZot's /ws beside a Crossbar.io 26.10.1 node, in one run, on loopback,
# stopping by itself (about 10 minutes with the defaults, after the build).
#
# For each router, with the same clients (autobahn-python for calls and events, raw sessions for the
# crowds): router CPU per routed RPC and per delivered event and their p50/p99 latency at 1 and 64
# in flight; change-to-delivery to 1,000 subscribers (BugZot: a REST PUT of a watched bug; Crossbar:
# a PUBLISH), timed to the kernel's arrival at each subscriber's socket; resident memory with 10,000
# idle authenticated sessions. Then a table with BugZot / Crossbar ratios and issue 11's targets.
# Only ratios within one run mean much: the machine is shared and noisy.
#
#   bench/wamp/run.sh [--routers bugzot,crossbar] [--n 10000] [--fanout 1000] [--rounds 50]
#                     [--idle 10000] [--bin PATH]
#     --bin   measure this bugzot binary instead of building `swift build -c release`
#   (bench.py --help lists the rest.)
# Environment: BUGZOT_VENV (default ~/.cache/bugzot-venv) is the client's venv (the e2e suite's:
# autobahn, websockets); BUGZOT_CROSSBAR_VENV (default ~/.cache/bugzot-crossbar-venv) Crossbar's,
# made here on first use (about 140 packages from PyPI; never in CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${BUGZOT_VENV:-${HOME:-/root}/.cache/bugzot-venv}
crossbar_venv=${BUGZOT_CROSSBAR_VENV:-${HOME:-/root}/.cache/bugzot-crossbar-venv}

if ! "$venv/bin/python" -c "import autobahn, websockets" 2>/dev/null; then
  echo "bench/wamp: installing the client's packages into $venv" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/tests/e2e/requirements.txt"
fi
if [ ! -x "$crossbar_venv/bin/crossbar" ]; then
  echo "bench/wamp: installing crossbar==26.10.1 into $crossbar_venv" >&2
  python3 -m venv "$crossbar_venv"
  "$crossbar_venv/bin/python" -m pip install --quiet --disable-pip-version-check crossbar==26.10.1
fi
exec "$venv/bin/python" "$here/bench.py" --crossbar "$crossbar_venv/bin/crossbar" "$@"
