#!/usr/bin/env bash
# The whole test suite, run from anywhere in the repository:
#   1. the Swift tests on SQLite,
#   2. the Swift tests again on a throwaway PostgreSQL cluster,
#   3. the end-to-end suite (tests/e2e): the real python-bugzilla CLI and a headless Chromium
#      (the web UI) against a live server, on SQLite and on that PostgreSQL cluster. The
#      browser run leaves screenshots in docs/screenshots/.
# It installs what is missing (PostgreSQL, Chromium from Debian, a Python venv from PyPI), runs every
# step it can, and exits non-zero if any step failed.
#
# Environment: BUGZOT_VENV (default ~/.cache/bugzot-venv) is where the venv lives, BUGZOT_WAMPY_VENV
# (default: that path with -wampy) the wampy client's.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${BUGZOT_VENV:-${HOME:-/root}/.cache/bugzot-venv}
requirements=tests/e2e/requirements.txt
wampy_venv=${BUGZOT_WAMPY_VENV:-$venv-wampy}
wampy_requirements=tests/e2e/requirements-wampy.txt
failed=()

step() { printf '\n==> %s\n' "$*" >&2; }

# --- a. what the suite needs --------------------------------------------------------------
step "installing what is missing"
bash scripts/pg-cluster.sh install
# The browser suite drives Debian's Chromium through its driver; zlib is for gzip.
need=()
for package in chromium chromium-driver zlib1g-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || {
    # Debian's own python3 needs python3-venv for this.
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv &&
      python3 -m venv "$venv"
  }
fi
# Reinstall only when the requirements changed since the last install into this venv.
if ! cmp -s "$requirements" "$venv/.bugzot-requirements"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.bugzot-requirements"
fi
# wampy gets a venv of its own (its pins clash with selenium's; tests/e2e/requirements-wampy.txt).
if [ ! -x "$wampy_venv/bin/python" ]; then
  python3 -m venv "$wampy_venv"
fi
if ! cmp -s "$wampy_requirements" "$wampy_venv/.bugzot-requirements"; then
  "$wampy_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$wampy_requirements"
  cp "$wampy_requirements" "$wampy_venv/.bugzot-requirements"
fi

# --- b. Swift tests on SQLite -------------------------------------------------------------
step "swift build --build-tests"
if ! swift build --build-tests; then
  echo "test.sh: FAILED: swift build (nothing else can run)" >&2
  exit 1
fi
logs=$(mktemp -d)
step "swift test (SQLite)"
swift test --skip-build 2>&1 | tee "$logs/swift-sqlite.log" || failed+=("swift test (SQLite)")

# --- c. Swift tests on PostgreSQL ---------------------------------------------------------
pg_dir=$(mktemp -d)
stop_cluster() {
  if [ -d "$pg_dir" ]; then bash scripts/pg-cluster.sh stop "$pg_dir" || true; fi
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM  # so the EXIT trap also stops the cluster on Ctrl-C or a kill
step "starting a throwaway PostgreSQL cluster in $pg_dir"
if pg_url=$(bash scripts/pg-cluster.sh start "$pg_dir"); then
  step "swift test (PostgreSQL: $pg_url)"
  # Every test migrates a schema of its own: with all of them at once, a 2-core machine keeps
  # PostgreSQL's connections waiting past BugZot's 5 s connection wait. Six at a time don't.
  SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=6 BUGZOT_TEST_DATABASE_URL=$pg_url \
    swift test --skip-build 2>&1 | tee "$logs/swift-postgres.log" ||
    failed+=("swift test (PostgreSQL)")
else
  pg_url=""
  failed+=("PostgreSQL cluster start")
fi

# --- d. end-to-end suite ------------------------------------------------------------------
bin_path=$(swift build --show-bin-path)
step "pytest tests/e2e (BUGZOT_BIN=$bin_path/bugzot)"
# Without a cluster the postgres runs skip themselves; the failed start is already counted.
BUGZOT_BIN=$bin_path/bugzot BUGZOT_E2E_DATABASE_URL=$pg_url BUGZOT_WAMPY_PYTHON=$wampy_venv/bin/python \
  "$venv/bin/python" -m pytest -v tests/e2e 2>&1 | tee "$logs/pytest.log" || failed+=("pytest tests/e2e")

# --- e. verdict ---------------------------------------------------------------------------
stop_cluster
# One closing line over every runner: Swift Testing counts tests per run ("Test run with N
# tests … passed", or failing tests marked "✘ Test … failed"), pytest prints "N passed, M failed".
passed=0 failed_tests=0
for log in "$logs"/swift-*.log; do
  [ -f "$log" ] || continue
  if grep -qE '^✔ Test run with [0-9]+ tests' "$log"; then
    passed=$((passed + $(grep -oE '^✔ Test run with [0-9]+ tests' "$log" | grep -oE '[0-9]+' | tail -n 1 || true)))
  else
    failed_tests=$((failed_tests + $(grep -cE '^✘ Test "[^"]*" .*failed after' "$log" || true)))
  fi
done
if [ -f "$logs/pytest.log" ]; then
  summary=$(tail -n 1 "$logs/pytest.log")
  count() { { echo "$summary" | grep -oE "[0-9]+ ($1)" || true; } | awk '{ n += $1 } END { print n + 0 }'; }
  passed=$((passed + $(count passed)))
  failed_tests=$((failed_tests + $(count 'failed|errors?')))
fi
rm -rf "$logs"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'test.sh: FAILED: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  # A failed step whose runner printed no count still counts as a failure.
  [ "$failed_tests" -gt 0 ] || failed_tests=${#failed[@]}
fi
echo "tests: $passed passed, $failed_tests failed"
[ ${#failed[@]} -eq 0 ]
