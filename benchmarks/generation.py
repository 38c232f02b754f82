"""Images/s of the dataset generators at paper settings, render only and render + PNG write.

Fractals: 512 px, 100k points, colour, jitter, window, flips, blur. MultiFractals: 512 px canvas, 4-10 objects of
100k points rendered at 256 px with a random patch, flips, colour, bilinear resize, blur (50 systems per class, so
the object cap never binds). "write" uses the real writer (atomic files + manifest). Each case runs in one process
and on all cores, without and with diamond-square backgrounds; printed: median and range over --repeats runs.
"on-the-fly" is RecipeDataset iteration (render + tensor) at 224 px in one process: the training input rate per core.

    .venv/bin/python benchmarks/generation.py                          # Fractals, full run
    .venv/bin/python benchmarks/generation.py --dataset multifractals
    .venv/bin/python benchmarks/generation.py --n 40 --repeats 3 --no-background

Official generator, one process on this kind of machine (issues 2 and 3): Fractals 512: 35 img/s render-only, 16 with
PNG writing; with background 39 and 5.0. MultiFractals 512: 8.3 render-only, 5.7 with writing.
"""
import argparse, os, statistics, tempfile, time, multiprocessing as mp
from pathlib import Path
import cv2
from fractal4ad_nb.ifs import sample_bank
from fractal4ad_nb.render import FractalsRecipe, FractalConfig
from fractal4ad_nb.multiformula import MultiFractalsRecipe, MultiConfig
from fractal4ad_nb.data import write_dataset, RecipeDataset

OFFICIAL = {('fractals', False, 'render'): 35, ('fractals', False, 'write'): 16, ('fractals', True, 'render'): 39,
            ('fractals', True, 'write'): 5.0, ('multifractals', False, 'render'): 8.3, ('multifractals', False, 'write'): 5.7}

def make_recipe(dataset, n, size, background, seed):
    classes, spc = 10, 50
    per_class = -(-n // classes)
    bank = sample_bank(classes * spc, seed)
    if dataset == 'fractals':
        return FractalsRecipe(bank, classes, per_class, classes * spc if per_class >= spc else classes * per_class, seed,
                              FractalConfig(size=size, background=background))
    return MultiFractalsRecipe(bank, classes, per_class, classes * spc, seed, MultiConfig(size=size, background=background))

_R = {}
def _init(*args):
    cv2.setNumThreads(1); _R['r'] = make_recipe(*args)
def _render(i): _R['r'].render(i); return i

def render_rate(args, workers):
    if workers == 1:
        _init(*args); _render(0)   # warm up (numba cache load)
        t = time.perf_counter()
        for i in range(args[1]): _render(i)
        return args[1] / (time.perf_counter() - t)
    with mp.get_context('fork').Pool(workers, _init, args) as pool:
        pool.map(_render, range(workers))
        t = time.perf_counter()
        pool.map(_render, range(args[1]), chunksize=2)
        return args[1] / (time.perf_counter() - t)

def write_rate(args, workers, fmt):
    rec = make_recipe(*args); rec.render(0)
    with tempfile.TemporaryDirectory() as d:
        r = write_dataset(rec, Path(d) / 'ds', workers=workers, fmt=fmt, progress=False)
    return r['written'] / r['seconds']

def onthefly_rate(dataset, n, seed):
    ds = RecipeDataset(make_recipe(dataset, n, 224, False, seed)); ds[0]
    t = time.perf_counter()
    for i in range(n): ds[i]
    return n / (time.perf_counter() - t)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dataset', choices=['fractals', 'multifractals'], default='fractals')
    ap.add_argument('--n', type=int, default=200, help='images per measurement')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--workers', type=int, default=os.cpu_count())
    ap.add_argument('--no-background', action='store_true')
    a = ap.parse_args()
    print(f"{a.dataset} {a.size}px, {a.n} images per run, median of {a.repeats} runs [min-max]; cores={os.cpu_count()}")
    print(f"{'background':>10} {'what':>16} {'procs':>5} {'img/s':>8} {'range':>15} {'x official/core':>16}")
    med = lambda xs: statistics.median(xs)
    for bg in ((False,) if a.no_background else (False, True)):
        for what, w, fmt in [('render', 1, None), ('render', a.workers, None), ('write png', 1, 'png'),
                             ('write png', a.workers, 'png'), ('write png-fast', 1, 'png-fast'), ('write png-fast', a.workers, 'png-fast')]:
            runs = [render_rate((a.dataset, a.n, a.size, bg, rep), w) if fmt is None else write_rate((a.dataset, a.n, a.size, bg, rep), w, fmt)
                    for rep in range(a.repeats)]
            ref = OFFICIAL.get((a.dataset, bg, 'render' if fmt is None else 'write'))
            ratio = f"{med(runs) / w / ref:16.1f}" if ref else f"{'-':>16}"
            print(f"{str(bg):>10} {what:>16} {w:>5} {med(runs):8.1f} {min(runs):7.1f}-{max(runs):<7.1f} {ratio}", flush=True)
    runs = [onthefly_rate(a.dataset, a.n, rep) for rep in range(a.repeats)]
    print(f"{'False':>10} {'on-the-fly 224px':>16} {1:>5} {med(runs):8.1f} {min(runs):7.1f}-{max(runs):<7.1f} {'-':>16}")

if __name__ == '__main__':
    main()
