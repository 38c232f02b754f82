"""Seconds per MandelbulbVAR image (2x supersampling, published quirks) with numba and with torch on the CPU.

Cases: numba on 1 thread (`numba.set_num_threads(1)`), numba on all cores, torch on 1 thread
(`torch.set_num_threads(1)`, float64, device cpu), each at every --sizes; `numba-ref-1` is the one-ray-at-a-time
reference kernel on 1 thread (`NUMBA_LANES = 0`, the renderer before SIMD over rays; same pixels). Every repeat renders the same --images
images (fixed classes and views, so repeats are comparable) and reports seconds per image; printed are the median
and range over --repeats. Single-thread cases also report CPU seconds (`time.process_time`), which a busy shared
machine disturbs less than wall time. Compilation (numba) and the first torch call happen in a warm-up and are not
timed. torch at 512 px is slow on a CPU: `--torch-max-size` skips it above that size, `--torch-images` renders fewer
images for it (the output says how many).

    nice -n 10 .venv/bin/python benchmarks/mandelbulb.py                     # 256 and 512 px, 3 repeats
    .venv/bin/python benchmarks/mandelbulb.py --sizes 128 --repeats 2 --images 2
    .venv/bin/python benchmarks/mandelbulb.py --cases numba-ref-1,numba-1 --repeats 5   # before/after SIMD over rays
    .venv/bin/python benchmarks/mandelbulb.py --cases torch --device cuda    # GPU rate, when there is one
"""
import argparse, json, os, statistics, time

CLASSES = [(8, 107), (3, 263), (14, 413), (5, 42), (11, 188), (17, 332)]   # a mix of low and high powers

def _images(n):
    from fractal4ad_nb.core import item_rng
    from fractal4ad_nb.mandelbulb import sample_view
    return [(p, r, sample_view(item_rng(0, k))) for k, (p, r) in zip(range(n), CLASSES * (n // len(CLASSES) + 1))]

def run_case(case, size, images, repeats, device=None):
    import numba, torch
    from fractal4ad_nb import mandelbulb
    from fractal4ad_nb.mandelbulb import render_view
    backend = 'torch' if case.startswith('torch') else 'numba'
    if not hasattr(run_case, 'lanes'): run_case.lanes = mandelbulb.NUMBA_LANES     # the library's default, kept once
    mandelbulb.NUMBA_LANES = 0 if case == 'numba-ref-1' else run_case.lanes
    if case in ('numba-1', 'numba-ref-1'): numba.set_num_threads(1)
    elif case == 'numba-all': numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    elif case == 'torch-1': torch.set_num_threads(1)
    dev = device if backend == 'torch' else None
    render_view(8, 107, 10, 20, [[.5] * 3] * 3, size=8, backend=backend, device=dev)          # warm-up / compile
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        for p, r, v in images:
            render_view(p, r, v['lat'], v['lng'], v['cols'], size=size, backend=backend, device=dev)
        wall.append((time.perf_counter() - w0) / len(images)); cpu.append((time.process_time() - c0) / len(images))
    return dict(case=case, size=size, images=len(images), repeats=repeats, wall_s=wall, cpu_s=cpu,
                wall_median=statistics.median(wall), cpu_median=statistics.median(cpu))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sizes', default='256,512', help='output sizes in pixels (rendered at 2x)')
    p.add_argument('--cases', default='numba-1,numba-all,torch-1', help='comma list of numba-1, numba-ref-1, numba-all, torch-1, torch')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--images', type=int, default=3, help='images per repeat (fixed classes and views)')
    p.add_argument('--torch-images', type=int, default=1, help='images per repeat for torch at sizes above 256')
    p.add_argument('--torch-max-size', type=int, default=512, help='skip torch above this size')
    p.add_argument('--device', default=None, help='torch device for the torch cases (default: cpu)')
    p.add_argument('--json', default=None, help='also write all runs to this JSON file')
    args = p.parse_args()
    import numba, torch
    print(f"cpu cores {os.cpu_count()}, numba threads {numba.config.NUMBA_NUM_THREADS}, "
          f"torch {torch.__version__}, load average {os.getloadavg()[0]:.2f}")
    runs = []
    for size in [int(s) for s in args.sizes.split(',')]:
        for case in args.cases.split(','):
            n = args.images
            if case.startswith('torch'):
                if size > args.torch_max_size: print(f"{case:9s} {size:4d} px: skipped (--torch-max-size {args.torch_max_size})"); continue
                if size > 256: n = min(n, args.torch_images)
            res = run_case(case, size, _images(n), args.repeats, args.device or 'cpu')
            runs.append(res)
            print(f"{case:9s} {size:4d} px: median {res['wall_median']:7.2f} s/image wall, {res['cpu_median']:7.2f} s/image CPU "
                  f"(wall range {min(res['wall_s']):.2f}-{max(res['wall_s']):.2f}; {n} image(s) x {args.repeats} repeats)", flush=True)
    if args.json:
        from fractal4ad_nb.core import atomic_write_json
        atomic_write_json(args.json, runs)

if __name__ == '__main__':
    main()
