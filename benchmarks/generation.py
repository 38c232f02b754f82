"""Images/s of the dataset generators at paper settings: render only (before/after issue 16, one and two processes),
render + write in each image format (with file sizes and encoding times), and on-the-fly rendering.

Fractals: 512 px, 100k points, colour, jitter, window, flips, blur. MultiFractals: 512 px canvas, 4-10 objects of
100k points rendered at 256 px with a random patch, flips, colour, bilinear resize, blur (50 systems per class, so
the object cap never binds). Every case runs without and with diamond-square backgrounds.

- "render" is the library's renderer; "render-ref" (Fractals) is the pipeline before issue 16, rebuilt from the
  reference kernels kept in the library (`render._diamond_square`, `_colour_field`, fresh arrays per image, a
  separate background image); the script first checks that both give the same pixels. Both run side by side in one
  run, alternating, over --repeats rounds.
- 1 and N processes (N = --workers, default all cores) are measured side by side in each round; "x1" is the ratio
  of the N-process rate to the 1-process rate of the same round (median over rounds).
- "cpu%" is the share of the cores our processes actually got while timed (their CPU seconds / (wall x processes)):
  below ~95% other programs took CPU from us. "img/cpu-s" is images per CPU second of our processes, which the load
  of other programs disturbs much less than wall time.
- "write FMT" uses the real writer (atomic files + manifest) with each image format; "kB" is the mean file size,
  "enc ms" the median encoding time of one image in this process and "cpu%" the CPU our processes used per core
  of wall time (far below 100%: waiting for the disk, or other programs running).
- "on-the-fly" is RecipeDataset iteration (render + tensor) at 224 px in one process.

glibc returns every large allocation to the OS when MALLOC_MMAP_THRESHOLD_ is set (test.sh and reproduce.sh set
it): each fresh megabyte then costs page faults. `--malloc tamed` sets the same threshold at start (mallopt), so one
command measures either setting; the setting in effect is printed.

    .venv/bin/python benchmarks/generation.py                                   # Fractals, everything
    .venv/bin/python benchmarks/generation.py --malloc tamed                    # the same as test.sh / reproduce.sh run it
    .venv/bin/python benchmarks/generation.py --only render --n 200 --repeats 7 # render-only: before/after, 1 vs 2 processes
    .venv/bin/python benchmarks/generation.py --only write --n 100              # image formats through the writer
    .venv/bin/python benchmarks/generation.py --only write --dir /dev/shm       # the same in memory: no disk in the way
    .venv/bin/python benchmarks/generation.py --only encoders                   # every lossless candidate: encoding time, size
    .venv/bin/python benchmarks/generation.py --dataset multifractals --n 40 --repeats 3

Official generator, one process on this kind of machine (issues 2 and 3): Fractals 512: 35 img/s render-only, 16 with
PNG writing; with background 39 and 5.0. MultiFractals 512: 8.3 render-only, 5.7 with writing.
"""
import argparse, ctypes, os, statistics, sys, tempfile, time, multiprocessing as mp
from pathlib import Path

OFFICIAL = {('fractals', False, 'render'): 35, ('fractals', False, 'write'): 16, ('fractals', True, 'render'): 39,
            ('fractals', True, 'write'): 5.0, ('multifractals', False, 'render'): 8.3, ('multifractals', False, 'write'): 5.7}

def make_recipe(dataset, n, size, background, seed):
    from fractal4ad_nb.ifs import sample_bank
    from fractal4ad_nb.render import FractalsRecipe, FractalConfig
    from fractal4ad_nb.multiformula import MultiFractalsRecipe, MultiConfig
    classes, spc = 10, 50
    per_class = -(-n // classes)
    bank = sample_bank(classes * spc, seed)
    if dataset == 'fractals':
        return FractalsRecipe(bank, classes, per_class, classes * spc if per_class >= spc else classes * per_class, seed,
                              FractalConfig(size=size, background=background))
    return MultiFractalsRecipe(bank, classes, per_class, classes * spc, seed, MultiConfig(size=size, background=background))

def render_fractal_ref(system, rng, cfg):
    "`render.render_fractal` before issue 16: reference background kernels, fresh arrays, separate background image."
    import numpy as np
    from fractal4ad_nb import render as R
    from fractal4ad_nb.ifs import iterate, jitter_basic
    if cfg.jitter: system = jitter_basic(system, rng)
    pts = iterate(system, rng, cfg.niter)
    box = R.bbox(pts)
    region = R.window_region(box, rng, cfg.scale, cfg.translate) if cfg.window else box
    flips = R.random_flips(rng) if cfg.flips else (False, False, False)
    patch = R.random_patch(rng) if cfg.patch else None
    counts, top = R.hit_counts(pts, cfg.size, region, patch, flips)
    if cfg.color:
        bg = R._ds_background_ref(cfg.size, rng, cfg.hue) if cfg.background else None
        img = R.colorize_counts(counts, top, rng, bg, cfg.hue)
    else:
        img = np.repeat(np.where(counts > 0, np.uint8(255), np.uint8(0))[..., None], 3, axis=2)
        if cfg.background: img = R.composite(img, R._ds_background_ref(cfg.size, rng, cfg.hue))
    return R.maybe_blur(img, rng, cfg.blur_p, cfg.blur_sigma)

def _render_ref(rec, i):
    from fractal4ad_nb.core import item_rng
    return render_fractal_ref(rec.bank[rec.system_index(i)], item_rng(rec.seed, rec.check_index(i)), rec.cfg)

_R = {}
def _init(args, ref):
    import cv2
    cv2.setNumThreads(1); _R['r'] = make_recipe(*args); _R['ref'] = ref
def _render_chunk(idx):
    "Render images `idx` in this process; returns (count, CPU seconds)."
    r = _R['r']; c0 = time.process_time()
    for i in idx: (_render_ref(r, i) if _R['ref'] else r.render(i))
    return len(idx), time.process_time() - c0

def render_rate(args, workers, ref=False):
    "(images/s wall, share of the cores our processes got, images per CPU second)."
    n = args[1]
    chunks = [list(range(k, min(k + 4, n))) for k in range(0, n, 4)]
    _init(args, ref); _render_chunk([0])                             # warm up (numba cache load; forked workers inherit it)
    if workers == 1:
        t = time.perf_counter(); res = [_render_chunk(c) for c in chunks]; wall = time.perf_counter() - t
    else:
        with mp.get_context('fork').Pool(workers, _init, (args, ref)) as pool:
            pool.map(_render_chunk, [[0]] * (2 * workers), chunksize=1)
            t = time.perf_counter(); res = pool.map(_render_chunk, chunks, chunksize=1); wall = time.perf_counter() - t
    cpu = sum(c for _, c in res)
    return n / wall, cpu / (wall * workers), n / cpu

def _cpu_all():
    t = os.times(); return t.user + t.system + t.children_user + t.children_system

def write_rate(args, workers, fmt, where=None):
    "(images/s, mean file size in kB, share of the cores our processes got)."
    from fractal4ad_nb.data import write_dataset, read_manifest
    rec = make_recipe(*args); rec.render(0)
    with tempfile.TemporaryDirectory(dir=where) as d:
        c0 = _cpu_all()                       # the writer's workers are reaped when it returns: their CPU time is counted
        r = write_dataset(rec, Path(d) / 'ds', workers=workers, fmt=fmt, progress=False)
        cpu = _cpu_all() - c0
        size = statistics.mean((Path(d) / 'ds' / e['path']).stat().st_size for e in read_manifest(Path(d) / 'ds').values())
    return r['written'] / r['seconds'], size / 1e3, cpu / (r['seconds'] * workers)

def encode_ms(args, fmt, k=10):
    from fractal4ad_nb.core import encode_image
    rec = make_recipe(*args)
    ts = []
    for i in range(k):
        img = rec.render(i); encode_image(img, fmt)
        t = time.perf_counter(); encode_image(img, fmt); ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3

def candidate_encoders():
    "Lossless encoders considered for the writer (the offered ones through `data.encode_image`), name -> bytes function."
    import io, numpy as np, cv2
    from PIL import Image
    from fractal4ad_nb.core import encode_image
    def cv(ext, params=()):
        return lambda img: cv2.imencode(ext, np.ascontiguousarray(img[..., ::-1]), list(params))[1].tobytes()
    def pil(fmt, **kw):
        def f(img):
            b = io.BytesIO(); Image.fromarray(img).save(b, fmt, **kw); return b.getvalue()
        return f
    return {'png': lambda img: encode_image(img, 'png'), 'png-fast': lambda img: encode_image(img, 'png-fast'),
            'bmp': lambda img: encode_image(img, 'bmp'),
            'png level 0 (cv2)': cv('.png', [cv2.IMWRITE_PNG_COMPRESSION, 0, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]),
            'tiff none (cv2)': cv('.tif', [cv2.IMWRITE_TIFF_COMPRESSION, 1]),
            'tiff packbits (cv2)': cv('.tif', [cv2.IMWRITE_TIFF_COMPRESSION, 32773]),
            'tiff lzw (cv2)': cv('.tif', [cv2.IMWRITE_TIFF_COMPRESSION, 5]),
            'webp lossless m0 (PIL)': pil('WEBP', lossless=True, quality=0, method=0),
            'webp lossless (cv2)': cv('.webp', [cv2.IMWRITE_WEBP_QUALITY, 101])}

def encoder_table(dataset, size, bgs, k=10):
    "Encoding time (median over k images, one core) and size of every candidate encoder; checks losslessness with OpenCV and Pillow."
    import io, numpy as np, cv2
    from PIL import Image
    cv2.setNumThreads(1)
    print(f"{'background':>10} {'encoder':>24} {'enc ms':>7} {'kB':>7}  lossless (OpenCV, Pillow)")
    for bg in bgs:
        rec = make_recipe(dataset, k, size, bg, 0)
        imgs = [rec.render(i) for i in range(k)]
        for name, f in candidate_encoders().items():
            ts, sz, ok = [], [], True
            for img in imgs:
                f(img); t = time.perf_counter(); b = f(img); ts.append(time.perf_counter() - t); sz.append(len(b))
                dec = cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR)
                ok &= dec is not None and np.array_equal(dec[..., ::-1], img) and np.array_equal(np.asarray(Image.open(io.BytesIO(b)).convert('RGB')), img)
            print(f"{str(bg):>10} {name:>24} {med(ts) * 1e3:7.2f} {statistics.mean(sz) / 1e3:7.1f}  {ok}", flush=True)

def onthefly_rate(dataset, n, seed):
    from fractal4ad_nb.data import RecipeDataset
    ds = RecipeDataset(make_recipe(dataset, n, 224, False, seed)); ds[0]
    t = time.perf_counter()
    for i in range(n): ds[i]
    return n / (time.perf_counter() - t)

def med(xs): return statistics.median(xs)
def rng_(xs): return f"{min(xs):7.1f}-{max(xs):<7.1f}"

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dataset', choices=['fractals', 'multifractals'], default='fractals')
    ap.add_argument('--n', type=int, default=200, help='images per measurement')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--workers', type=int, default=os.cpu_count())
    ap.add_argument('--no-background', action='store_true')
    ap.add_argument('--only', choices=['render', 'write', 'encoders', 'onthefly'], default=None,
                    help="run one part ('encoders': encoding time and size of every lossless candidate, not run by default)")
    ap.add_argument('--formats', default='png,png-fast,bmp', help='image formats for the write part')
    ap.add_argument('--dir', default=None, help='where the write part writes (default: the temp folder; /dev/shm keeps the disk out of it)')
    ap.add_argument('--malloc', choices=['as-is', 'tamed'], default='as-is',
                    help="'tamed': mallopt(M_MMAP_THRESHOLD, 131072), like MALLOC_MMAP_THRESHOLD_=131072")
    a = ap.parse_args()
    if a.malloc == 'tamed': ctypes.CDLL('libc.so.6').mallopt(-3, 131072)
    malloc = ('M_MMAP_THRESHOLD 131072 (mallopt)' if a.malloc == 'tamed' else
              f"MALLOC_MMAP_THRESHOLD_={os.environ['MALLOC_MMAP_THRESHOLD_']}" if 'MALLOC_MMAP_THRESHOLD_' in os.environ else 'glibc default')
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{a.dataset} {a.size}px, {a.n} images per run, median of {a.repeats} runs [min-max]; cores={os.cpu_count()}; "
          f"malloc: {malloc}; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bgs = (False,) if a.no_background else (False, True)
    if a.only in (None, 'render'):
        import numpy as np
        if a.dataset == 'fractals':   # the reference pipeline must give the same pixels
            for bg in bgs:
                r = make_recipe(a.dataset, 8, a.size, bg, 0)
                assert all(np.array_equal(r.render(i), _render_ref(r, i)) for i in range(8)), 'render-ref differs from render'
            print("render-ref == render on 8 images per background setting: same pixels")
        print(f"{'background':>10} {'what':>12} {'procs':>5} {'img/s':>8} {'range':>15} {'x1':>5} {'cpu%':>5} {'img/cpu-s':>9} {'x official/core':>16}")
        whats = ['render', 'render-ref'] if a.dataset == 'fractals' else ['render']
        for bg in bgs:
            res = {(w, p): [] for w in whats for p in (1, a.workers)}
            for rep in range(a.repeats):        # side by side: every case once per round
                for w in whats:
                    for p in (1, a.workers):
                        res[w, p].append(render_rate((a.dataset, a.n, a.size, bg, rep), p, w == 'render-ref'))
            ref = OFFICIAL.get((a.dataset, bg, 'render'))
            for w in whats:
                for p in (1, a.workers):
                    rates = [x[0] for x in res[w, p]]
                    x1 = med([x[0] / y[0] for x, y in zip(res[w, p], res[w, 1])])
                    ratio = f"{med(rates) / p / ref:16.1f}" if ref else f"{'-':>16}"
                    print(f"{str(bg):>10} {w:>12} {p:>5} {med(rates):8.1f} {rng_(rates)} {x1:5.2f} {100 * med([x[1] for x in res[w, p]]):5.0f} "
                          f"{med([x[2] for x in res[w, p]]):9.1f} {ratio}", flush=True)
            print(f"{'':>10} load average now {os.getloadavg()[0]:.2f}", flush=True)
    if a.only in (None, 'write'):
        print(f"writing into {a.dir or tempfile.gettempdir()}")
        print(f"{'background':>10} {'what':>16} {'procs':>5} {'img/s':>8} {'range':>15} {'kB':>7} {'enc ms':>7} {'cpu%':>5} {'img/cpu-s':>9} {'x official/core':>16}")
        for bg in bgs:
            for fmt in a.formats.split(','):
                enc = encode_ms((a.dataset, 10, a.size, bg, 0), fmt)
                for w in (1, a.workers):
                    runs = [write_rate((a.dataset, a.n, a.size, bg, rep), w, fmt, a.dir) for rep in range(a.repeats)]
                    rates = [x[0] for x in runs]
                    ref = OFFICIAL.get((a.dataset, bg, 'write'))
                    ratio = f"{med(rates) / w / ref:16.1f}" if ref and fmt == 'png' else f"{'-':>16}"
                    print(f"{str(bg):>10} {'write ' + fmt:>16} {w:>5} {med(rates):8.1f} {rng_(rates)} {med([x[1] for x in runs]):7.1f} {enc:7.2f} "
                          f"{100 * med([x[2] for x in runs]):5.0f} {med([x[0] / (x[2] * w) for x in runs]):9.1f} {ratio}", flush=True)
        print(f"{'':>10} load average now {os.getloadavg()[0]:.2f}")
    if a.only == 'encoders': encoder_table(a.dataset, a.size, bgs)
    if a.only in (None, 'onthefly'):
        runs = [onthefly_rate(a.dataset, a.n, rep) for rep in range(a.repeats)]
        print(f"{'False':>10} {'on-the-fly 224px':>16} {1:>5} {med(runs):8.1f} {rng_(runs)}")

if __name__ == '__main__':
    main()
