#!/usr/bin/env bash
# Set up .venv if needed, check notebooks and library are in sync, and run every notebook's tests (nbdev_test).
# Extra arguments go to nbdev_test, e.g. ./test.sh --flags slow  or  ./test.sh --path nbs/01_ifs.ipynb
set -euo pipefail
cd "$(dirname "$0")"
tools/setup_env.sh
export MALLOC_MMAP_THRESHOLD_=131072 HF_HUB_OFFLINE=1 PYTHONHASHSEED=0 MPLBACKEND=Agg
exec .venv/bin/python tools/run_tests.py "$@"
