#!/usr/bin/env bash
# Fashion-MNIST, the question stage's third dataset (MIT, Zalando Research), from Debian's dataset-fashion-mnist package.
# Prints the folder holding its four IDX files. Uses $FASHION_MNIST_DIR or the installed package when present; else
# downloads the .deb from the Debian archive (apt-get download: no root needed, 31 MB) and unpacks it into
# .venv/share/fashion-mnist. Exit 1 with a message on stderr when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
have() { [ -n "$1" ] && for f in train-images-idx3 train-labels-idx1 t10k-images-idx3 t10k-labels-idx1; do [ -f "$1/$f-ubyte.gz" ] || return 1; done; }
local_dir="$PWD/.venv/share/fashion-mnist/usr/share/datasets/fashion-mnist"
for d in "${FASHION_MNIST_DIR:-}" /usr/share/datasets/fashion-mnist "$local_dir"; do
  if have "$d"; then echo "$d"; exit 0; fi
done
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "Fashion-MNIST not found and no apt-get/dpkg-deb here: install dataset-fashion-mnist, or set FASHION_MNIST_DIR to its IDX files" >&2
  exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1); then
  echo "apt-get download dataset-fashion-mnist failed (no Debian archive reachable?): set FASHION_MNIST_DIR to its IDX files" >&2
  exit 1
fi
dpkg-deb -x "$tmp"/dataset-fashion-mnist_*.deb "$tmp/x"
mkdir -p "$local_dir"; cp "$tmp"/x/usr/share/datasets/fashion-mnist/*-ubyte.gz "$local_dir/"
have "$local_dir" && echo "$local_dir"
