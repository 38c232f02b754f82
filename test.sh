#!/usr/bin/env bash
# Set up .venv if needed, check notebooks and library are in sync, and run every notebook's tests (nbdev_test).
# Extra arguments go to nbdev_test, e.g. ./test.sh --flags slow  or  ./test.sh --path nbs/01_ifs.ipynb
set -euo pipefail
cd "$(dirname "$0")"
tools/setup_env.sh
# the docs test screenshots pages with headless Chromium; install it where we can (root + apt), else that part is skipped
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the docs screenshot test ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "warning: could not install chromium; the docs screenshots will be skipped" >&2
fi
export MALLOC_MMAP_THRESHOLD_=131072 HF_HUB_OFFLINE=1 PYTHONHASHSEED=0 MPLBACKEND=Agg OMP_WAIT_POLICY=PASSIVE
exec .venv/bin/python tools/run_tests.py "$@"
