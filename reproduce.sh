#!/usr/bin/env bash
# The main job. Sets up .venv on first use (tools/setup_env.sh), then runs every stage of a profile:
#   ./reproduce.sh                   # profile cpu (default): minutes on 2 cores, embedded offline data
#   ./reproduce.sh --profile paper   # GPU, full sizes; needs MVTEC_AD_ROOT / VISA_ROOT / MVTEC_LOCO_ROOT
#   ./reproduce.sh --only fig1_fractals   # rerun one table or figure (fractal4ad-reproduce --list_stages lists them)
#   ./reproduce.sh --profile paper --dry-run   # the plan, what is done, and the time estimate; runs nothing
#   ./reproduce.sh --profile paper --rates gpu_check.json   # estimate from rates benchmarks/gpu_check.py measured
#   ./reproduce.sh --profile paper-smoke  # the paper profile's code paths at tiny sizes (CPU; needs the three roots, e.g.
#       eval "$(.venv/bin/python -c 'from fractal4ad_nb.fixtures import paper_fixtures as f; [print(f"export {k}={v}") for k, v in f("fixtures").items()]')")
# Finished stages with identical settings are reused. Outputs: results/ (override with OUT=...): figures/, tables,
# data/, notebooks/ (the executed papermill notebooks) and logs/.
set -euo pipefail
cd "$(dirname "$0")"
tools/setup_env.sh
export MALLOC_MMAP_THRESHOLD_=131072 HF_HUB_OFFLINE=1 MPLBACKEND=Agg
# Fashion-MNIST for the question stage (Debian's dataset-fashion-mnist; fetched once, no root); without it that dataset is skipped
if fm=$(tools/get_fashion_mnist.sh); then export FASHION_MNIST_DIR="$fm"; else echo "warning: Fashion-MNIST unavailable: the question stage skips it" >&2; fi
B=.venv/bin
OUT=${OUT:-results}
if [ "$#" -eq 0 ]; then
  echo "== Fractals dataset (embedded default) -> $OUT/data/fractals-cpu"
  $B/fractal4ad-fractals "$OUT/data/fractals-cpu" --classes 10 --per_class 32 --systems_per_class 4 --size 256 --quiet
  $B/fractal4ad-verify "$OUT/data/fractals-cpu" --samples 8 --check_files
fi
$B/fractal4ad-reproduce --out "$OUT" "$@"    # options take - or _ (--dry-run, --dry_run)
echo "done: results in $OUT/, report $OUT/README.md"
