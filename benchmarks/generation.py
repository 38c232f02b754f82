"""Images/s of the Fractals generator at paper settings (512 px, 100k points, colour, jitter, window, flips, blur).

Measures render only and render + PNG write (the real writer: atomic files + manifest), in one process and on all
cores, without and with diamond-square backgrounds. Prints the median and range over --repeats runs.

    .venv/bin/python benchmarks/generation.py                # full run (a few minutes on 2 cores)
    .venv/bin/python benchmarks/generation.py --n 40 --repeats 3

Reference (issue 2): the official generator, one process on this kind of machine: 35 img/s render-only and 16 with
PNG writing (Fractals 512); 39 and 5.0 with background.
"""
import argparse, os, statistics, tempfile, time, multiprocessing as mp
from pathlib import Path
import cv2
from fractal4ad_nb.ifs import sample_bank
from fractal4ad_nb.render import FractalsRecipe, FractalConfig
from fractal4ad_nb.data import write_dataset

OFFICIAL = {(False, 'render'): 35, (False, 'write'): 16, (True, 'render'): 39, (True, 'write'): 5.0}

def make_recipe(n, size, background, seed):
    classes = 10
    per_class = -(-n // classes)
    return FractalsRecipe(sample_bank(classes * 5, seed), classes, per_class, classes * 5, seed,
                          FractalConfig(size=size, background=background))

_R = {}
def _init(n, size, background, seed):
    cv2.setNumThreads(1); _R['r'] = make_recipe(n, size, background, seed)
def _render(i): _R['r'].render(i); return i

def render_rate(n, size, background, workers, seed):
    if workers == 1:
        _init(n, size, background, seed); _render(0)   # warm up (numba cache load)
        t = time.perf_counter()
        for i in range(n): _render(i)
        return n / (time.perf_counter() - t)
    with mp.get_context('fork').Pool(workers, _init, (n, size, background, seed)) as pool:
        pool.map(_render, range(workers))                # warm up every worker
        t = time.perf_counter()
        pool.map(_render, range(n), chunksize=4)
        return n / (time.perf_counter() - t)

def write_rate(n, size, background, workers, seed, fmt):
    rec = make_recipe(n, size, background, seed)
    rec.render(0)
    with tempfile.TemporaryDirectory() as d:
        r = write_dataset(rec, Path(d) / 'ds', workers=workers, fmt=fmt, progress=False)
    return r['written'] / r['seconds']

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=200, help='images per measurement')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--workers', type=int, default=os.cpu_count())
    args = ap.parse_args()
    print(f"Fractals {args.size}px, {args.n} images per run, median of {args.repeats} runs [min-max]; cores={os.cpu_count()}")
    print(f"{'background':>10} {'what':>18} {'procs':>5} {'img/s':>8} {'range':>15} {'x official/core':>16}")
    for bg in (False, True):
        cases = [('render', 1, None), ('render', args.workers, None),
                 ('write png', 1, 'png'), ('write png', args.workers, 'png'),
                 ('write png-fast', 1, 'png-fast'), ('write png-fast', args.workers, 'png-fast')]
        for what, w, fmt in cases:
            runs = []
            for rep in range(args.repeats):
                runs.append(render_rate(args.n, args.size, bg, w, rep) if fmt is None else write_rate(args.n, args.size, bg, w, rep, fmt))
            med = statistics.median(runs)
            ref = OFFICIAL[(bg, 'render' if fmt is None else 'write')]
            print(f"{str(bg):>10} {what:>18} {w:>5} {med:8.1f} {min(runs):7.1f}-{max(runs):<7.1f} {med / w / ref:16.1f}", flush=True)

if __name__ == '__main__':
    main()
