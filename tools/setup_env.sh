#!/usr/bin/env bash
# Create or update .venv from the project's own files (settings.ini, setup.py, pyproject.toml, constraints.txt).
# Installs the exact tested set: every pip install runs with -c constraints.txt (settings.ini only declares ranges).
# Idempotent: reinstalls only when those files changed since the last successful setup.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), "fractal4ad_nb needs Python 3.11 (torch 2.14.1 wheels)"' \
  || { echo "error: $PY is not Python 3.11; set PYTHON=/path/to/python3.11" >&2; exit 2; }
stamp=$(cat settings.ini setup.py pyproject.toml constraints.txt tools/setup_env.sh | sha256sum | cut -c1-16)
if [ -f .venv/.setup-stamp ] && [ "$(cat .venv/.setup-stamp)" = "$stamp" ]; then exit 0; fi
echo "setting up .venv (first run or changed requirements) ..." >&2
[ -x .venv/bin/python ] || "$PY" -m venv .venv
C=(-c constraints.txt)
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "${C[@]}" setuptools wheel
# torch first: the tested versions are served from the machine's local wheel cache; others download gigabytes
.venv/bin/python -m pip install -q "${C[@]}" torch torchvision
.venv/bin/python -m pip install -q "${C[@]}" -e ".[dev]"
# a named kernel inside the venv that runs the venv's own python, for papermill (fractal4ad-reproduce) and JupyterLab;
# named, so that the python3 kernel of a JupyterLab installed elsewhere cannot shadow it (fractal4ad_nb.core.KERNEL)
.venv/bin/python -m ipykernel install --sys-prefix --name fractal4ad_nb --display-name "Python 3 (fractal4ad_nb)" >/dev/null
.venv/bin/python -m pip check
echo "$stamp" > .venv/.setup-stamp
