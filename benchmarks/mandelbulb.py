"""Seconds per MandelbulbVAR image (2x supersampling, published quirks) with numba (exact and fast modes) and torch.

Cases (comma list, --cases):
- `numba-1`: the exact renderer on 1 thread (`numba.set_num_threads(1)`); `numba-all`: on all cores;
- `numba-ref-1`: the one-ray-at-a-time reference kernel on 1 thread (`NUMBA_LANES = 0`, before SIMD over rays);
- `numba-traps0-1`: the many-rays kernel with the orbit traps computed one point at a time (`NUMBA_LANE_TRAPS = False`,
  the renderer before issue 16); all of these give the same pixels;
- `fast-1`, `fast-all`: `mode='fast'` (adaptive supersampling) on 1 thread / all cores;
- `torch-1`: torch on 1 CPU thread (float64, device cpu); `torch`: torch on --device (default cpu) with its default
  threads, one image per call; `torch-batch`: --batch views of one class per call (`render_views`: one batched march,
  what the dataset writer does in the parent process for torch).

Every repeat renders the same --images images (fixed classes and views, so repeats are comparable) and reports
seconds per image; printed are the median and range over --repeats, wall time and CPU time (`time.process_time`,
which a busy shared machine disturbs less; for torch on a GPU only wall time means anything). Cases run side by
side: each repeat runs every case once. Compilation and first calls happen in a warm-up and are not timed.
`--quality` also compares each fast image with the exact one (PSNR, share of pixels off by more than 8 and 2 grey
levels, largest channel) and prints the rays the fast mode traced. torch at 512 px is slow on a CPU: `--torch-max-size`
skips it above that size, `--torch-images` renders fewer images for it.

    nice -n 10 .venv/bin/python benchmarks/mandelbulb.py                     # 256 and 512 px: numba-1, fast-1, numba-all, torch-1
    .venv/bin/python benchmarks/mandelbulb.py --sizes 512 --cases numba-traps0-1,numba-1,fast-1 --repeats 3 --quality
    .venv/bin/python benchmarks/mandelbulb.py --sizes 128 --repeats 2 --images 2
    .venv/bin/python benchmarks/mandelbulb.py --cases numba-ref-1,numba-1 --repeats 5   # before/after SIMD over rays
    .venv/bin/python benchmarks/mandelbulb.py --sizes 512 --cases torch,torch-batch --device cuda --images 8 --batch 8 --torch-images 8
"""
import argparse, math, os, statistics, sys, time
from pathlib import Path

CLASSES = [(8, 107), (3, 263), (14, 413), (5, 42), (11, 188), (17, 332)]   # a mix of low and high powers

def _images(n):
    from fractal4ad_nb.core import item_rng
    from fractal4ad_nb.mandelbulb import sample_view
    return [(p, r, sample_view(item_rng(0, k))) for k, (p, r) in zip(range(n), CLASSES * (n // len(CLASSES) + 1))]

def _setup(case, device):
    "Configure the library for `case`; returns (backend, mode, device)."
    import numba, torch
    from fractal4ad_nb import mandelbulbvar as M
    if not hasattr(_setup, 'lanes'): _setup.lanes, _setup.torch_threads = M.NUMBA_LANES, torch.get_num_threads()   # defaults, kept once
    M.NUMBA_LANES = 0 if case == 'numba-ref-1' else _setup.lanes
    M.NUMBA_LANE_TRAPS = case != 'numba-traps0-1'
    numba.set_num_threads(1 if case.endswith('-1') else numba.config.NUMBA_NUM_THREADS)
    if case == 'torch-1': torch.set_num_threads(1)
    elif case.startswith('torch'): torch.set_num_threads(_setup.torch_threads)
    backend = 'torch' if case.startswith('torch') else 'numba'
    return backend, ('fast' if case.startswith('fast') else 'exact'), (device if backend == 'torch' else None)

def _sync(device):
    import torch
    if device and str(device).startswith('cuda'): torch.cuda.synchronize()

def run_once(case, size, images, device, batch):
    "Render `images` once; returns (wall s per image, CPU s per image, the images)."
    from fractal4ad_nb.mandelbulbvar import render_view, render_views
    backend, mode, dev = _setup(case, device)
    _sync(dev); w0, c0 = time.perf_counter(), time.process_time()
    if case == 'torch-batch':
        out = []
        for k in range(0, len(images), batch):   # the batch's views share the class of its first image (a class's views)
            p, r, _ = images[k]
            out += render_views(p, r, [v for _, _, v in images[k:k + batch]], size, backend, device=dev)
    else:
        out = [render_view(p, r, v['lat'], v['lng'], v['cols'], size=size, backend=backend, device=dev, mode=mode) for p, r, v in images]
    _sync(dev)
    return (time.perf_counter() - w0) / len(images), (time.process_time() - c0) / len(images), out

def image_diff(a, b):
    import numpy as np
    d = np.abs(a.astype(int) - b.astype(int)); mse = (d.astype(float) ** 2).mean()
    return (10 * math.log10(255 ** 2 / mse) if mse else math.inf), (d.max(-1) > 8).mean(), (d.max(-1) > 2).mean()

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sizes', default='256,512', help='output sizes in pixels (rendered at 2x)')
    p.add_argument('--cases', default='numba-1,fast-1,numba-all,torch-1',
                   help='comma list of numba-1, numba-ref-1, numba-traps0-1, numba-all, fast-1, fast-all, torch-1, torch, torch-batch')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--images', type=int, default=3, help='images per repeat (fixed classes and views)')
    p.add_argument('--torch-images', type=int, default=1, help='images per repeat for torch at sizes above 256')
    p.add_argument('--torch-max-size', type=int, default=512, help='skip torch above this size')
    p.add_argument('--device', default=None, help='torch device for the torch cases (default: cpu)')
    p.add_argument('--batch', type=int, default=4, help="views per call for 'torch-batch' (the images of a batch take its first image's class)")
    p.add_argument('--quality', action='store_true', help='compare fast with exact images (needs an exact numba case and a fast case)')
    p.add_argument('--json', default=None, help='also write all runs to this JSON file')
    args = p.parse_args()
    import numba, torch
    from fractal4ad_nb.mandelbulb import camera
    from fractal4ad_nb.mandelbulbvar import _render_float_numba, render_view
    device = args.device or 'cpu'
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"cpu cores {os.cpu_count()}, numba threads {numba.config.NUMBA_NUM_THREADS}, torch {torch.__version__}"
          f"{', ' + torch.cuda.get_device_name() if device.startswith('cuda') else ''}, load average {os.getloadavg()[0]:.2f}")
    cases = args.cases.split(',')
    runs = []
    for size in [int(s) for s in args.sizes.split(',')]:
        todo = []
        for case in cases:
            n = args.images
            if case.startswith('torch'):
                if size > args.torch_max_size: print(f"{case:14s} {size:4d} px: skipped (--torch-max-size {args.torch_max_size})"); continue
                if size > 256: n = min(n, args.torch_images) if case != 'torch-batch' else n
            todo.append((case, _images(n)))
        for case, _ in todo:                     # warm-up / compile
            backend, mode, dev = _setup(case, device)
            render_view(8, 107, 10, 20, [[.5] * 3] * 3, size=8, backend=backend, device=dev, mode=mode)
        res = {case: dict(wall=[], cpu=[]) for case, _ in todo}
        imgs = {}
        for _ in range(args.repeats):           # side by side: every case once per repeat
            for case, images in todo:
                w, c, out = run_once(case, size, images, device, args.batch)
                res[case]['wall'].append(w); res[case]['cpu'].append(c); imgs[case] = out
        for case, images in todo:
            r = res[case]
            print(f"{case:14s} {size:4d} px: median {statistics.median(r['wall']):7.2f} s/image wall, {statistics.median(r['cpu']):7.2f} s/image CPU "
                  f"(wall range {min(r['wall']):.2f}-{max(r['wall']):.2f}, CPU range {min(r['cpu']):.2f}-{max(r['cpu']):.2f}; "
                  f"{len(images)} image(s) x {args.repeats} repeats)", flush=True)
            runs.append(dict(case=case, size=size, images=len(images), repeats=args.repeats, wall_s=r['wall'], cpu_s=r['cpu'],
                             wall_median=statistics.median(r['wall']), cpu_median=statistics.median(r['cpu'])))
        exact = next((c for c in ('numba-1', 'numba-all', 'numba-traps0-1', 'numba-ref-1') if c in imgs), None)
        fast = next((c for c in ('fast-1', 'fast-all') if c in imgs), None)
        if args.quality and exact and fast:
            print(f"fast vs exact at {size} px (FAST_THRESHOLD 8/255):")
            for (p_, r_, v), a, b in zip(dict(todo)[exact], imgs[exact], imgs[fast]):
                st = {}
                _render_float_numba(2 * size, camera(v['lat'], v['lng']), p_, r_, False, v['cols'], mode='fast', stats=st)
                psnr, o8, o2 = image_diff(a, b)
                print(f"  power {p_:2d} rule {r_:3d}: PSNR {psnr:5.1f} dB, >8 levels {o8:6.2%}, >2 levels {o2:6.2%}, "
                      f"rays traced {st['rays'] / st['rays_exact']:.2f}", flush=True)
        print(f"load average now {os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        from fractal4ad_nb.core import atomic_write_json
        atomic_write_json(args.json, runs)

if __name__ == '__main__':
    main()
