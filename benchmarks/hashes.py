"""SHA-256 of a fixed set of generated images: run before and after a change that promises unchanged bytes.

Renders small images of every generator with default and non-default settings (Fractals with and without
diamond-square background, official hue, patch, binary + background; MultiFractals; MultiMandelbulbs from a
synthetic source; MandelbulbVAR with the numba backend, both quirk settings, and torch on the CPU (default device: run it where
there is no GPU, or the torch case differs); plain diamond-square backgrounds at
several sizes) and prints one hash per case and one over all cases. Pixels are hashed (the raw uint8 arrays), so
the numbers do not depend on the PNG encoder.

    .venv/bin/python benchmarks/hashes.py                 # prints the hashes
    .venv/bin/python benchmarks/hashes.py --json out.json # and saves them
"""
import argparse, hashlib, json, os, tempfile
from pathlib import Path
_TMP = tempfile.TemporaryDirectory(prefix='hashes-')
import numpy as np

def cases():
    from fractal4ad_nb.core import item_rng
    from fractal4ad_nb.ifs import sample_bank
    from fractal4ad_nb.render import FractalsRecipe, ds_background
    from fractal4ad_nb.multiformula import MultiFractalsRecipe, MultiMandelbulbsRecipe
    from fractal4ad_nb.fixtures import fake_source
    from fractal4ad_nb.mandelbulbvar import MandelbulbVARRecipe
    bank = sample_bank(40, seed=0)
    fr = lambda **kw: FractalsRecipe(bank, 4, 10, 40, 3, dict(niter=20_000, **kw))
    yield 'fractals-128', fr(size=128), range(0, 40, 3)
    yield 'fractals-128-bg', fr(size=128, background=True), range(0, 40, 3)
    yield 'fractals-512-bg', fr(size=512, background=True), range(0, 40, 13)
    yield 'fractals-100-bg-official', fr(size=100, background=True, hue='official'), range(0, 40, 5)
    yield 'fractals-96-patch-bg', fr(size=96, patch=True, background=True), range(0, 40, 7)
    yield 'fractals-64-binary-bg', fr(size=64, color=False, background=True), range(0, 40, 7)
    yield 'multifractals-128', MultiFractalsRecipe(bank, 4, 5, 40, 1, dict(size=128, niter=5000)), range(20)
    yield 'multifractals-160-bg', MultiFractalsRecipe(bank, 4, 5, 40, 1, dict(size=160, niter=5000, background=True)), range(0, 20, 2)
    src = fake_source(Path(_TMP.name) / 'src')
    yield 'multimandelbulbs-96', MultiMandelbulbsRecipe(src, 3, 4, 2, dict(size=96)), range(12)
    yield 'multimandelbulbs-96-bg', MultiMandelbulbsRecipe(src, 3, 4, 2, dict(size=96, background=True)), range(12)
    yield 'mandelbulbvar-32', MandelbulbVARRecipe([3, 8, 14], [107, 263, 413], 1, size=32, seed=4), range(9)
    yield 'mandelbulbvar-24-corrected', MandelbulbVARRecipe([5, 11], [42, 188], 1, size=24, seed=1, quirks='corrected'), range(4)
    yield 'mandelbulbvar-torch-cpu-24', MandelbulbVARRecipe([3, 8], [107, 263], 1, size=24, seed=2, backend='torch'), range(4)
    class _DS:
        def render(self, i):
            s = (1, 2, 3, 17, 64, 100, 257, 512)[i]
            return ds_background(s, item_rng(9, i), 'official' if i % 2 else 'correct')
    yield 'ds_background', _DS(), range(8)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--json', default=None)
    a = ap.parse_args()
    out, total = {}, hashlib.sha256()
    for name, rec, idx in cases():
        h = hashlib.sha256()
        for i in idx:
            img = np.ascontiguousarray(rec.render(i))
            h.update(str(img.shape).encode()); h.update(img.tobytes())
        out[name] = h.hexdigest(); total.update(out[name].encode())
        print(f"{name:28s} {out[name][:16]}", flush=True)
    print(f"{'ALL':28s} {total.hexdigest()[:16]}")
    if a.json:
        with open(a.json, 'w') as f: json.dump(dict(out, ALL=total.hexdigest()), f, indent=1)

if __name__ == '__main__':
    main()
