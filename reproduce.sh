#!/usr/bin/env bash
# The main job on the embedded default. Sets up .venv on first use (tools/setup_env.sh), then:
#   1. writes a small Fractals dataset (resumable: a rerun skips finished images),
#   2. verifies it by re-rendering a sample and hashing every file,
#   3. draws a contact sheet of one class (paper Fig. 1 analogue).
# Outputs go to results/ (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")"
tools/setup_env.sh
export MALLOC_MMAP_THRESHOLD_=131072 HF_HUB_OFFLINE=1 MPLBACKEND=Agg
B=.venv/bin
OUT=${OUT:-results}
echo "== Fractals dataset -> $OUT/data/fractals-cpu"
$B/fractal4ad-fractals "$OUT/data/fractals-cpu" --classes 10 --per_class 32 --systems_per_class 4 --size 256
echo "== verify"
$B/fractal4ad-verify "$OUT/data/fractals-cpu" --samples 8 --check_files
echo "== figure"
$B/fractal4ad-sheet "$OUT/data/fractals-cpu" "$OUT/figures/fig1_fractals_class0.png" --label 0 --n 16
echo "done: results in $OUT/"
