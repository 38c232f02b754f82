"""Seconds per category and peak memory of PatchCore and PaDiM on ELPV, CPU, for resnet18 and wide_resnet50_2.

Each case (method x arch x repeat) runs in a fresh process, so `ru_maxrss` is that run's peak resident memory. `fit`
is anomalib's `engine.fit`: feature extraction over the training images, PatchCore's coreset / PaDiM's Gaussians,
*and* the validation pass over the test images that sets the adaptive threshold and normalisation (validation =
test, the paper's setting). `test` is `engine.test` over all test images, metrics included. Weights are random
(timm's initialisation; speed does not depend on the values). Printed: median and range over --repeats.

    MALLOC_MMAP_THRESHOLD_=131072 nice -n 10 .venv/bin/python benchmarks/evaluate.py            # mono, full split, 256 px
    .venv/bin/python benchmarks/evaluate.py --limit 64 --size 128 --repeats 3 --archs resnet18

`--limit N` caps every folder (train/good, test/good, test/defect) at N images; the full mono split is 352 train /
236 good + 313 defect test images. A case that fails or runs past `--timeout` seconds is printed with the last line of
its error and the other cases still run; the exit status is then 1.

On 2 CPU cores the full split is slow for PatchCore: anomalib's greedy coreset (KCenterGreedy, 10 % of 360,448
patches = 36,044 iterations, each a pass over all projected patches) ran at ~0.22 s per iteration, ~2 h per category;
`--limit 64` (64 train images, 6,553 iterations) takes ~5-7 min. PaDiM's full split, fit + test: 2.6 min (resnet18) to 16 min
(wide_resnet50_2).
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def one(args):
    "Run one case in this process and print a JSON line."
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    from fractal4ad_nb.core import tame_malloc
    from fractal4ad_nb.backbone import random_backbone
    from fractal4ad_nb.ad.data import materialise_elpv, category_samples
    from fractal4ad_nb.ad.anomalib import build_model, method_spec, LayoutDataModule
    from anomalib.engine import Engine
    import lightning, torch, warnings
    tame_malloc()
    torch.set_num_threads(args.threads)
    root = materialise_elpv(Path(args.cache) / f"elpv-s0{f'-limit{args.limit}' if args.limit else ''}", 0, args.limit, progress=False)
    samples = category_samples(root / args.category)
    spec, _ = method_spec(args.method, 'paper')
    lightning.seed_everything(0, verbose=False)
    model = build_model(args.method, random_backbone(args.arch, 0), args.size)
    dm = LayoutDataModule(samples, 'elpv', args.category, spec.train_batch, spec.eval_batch, 0, 0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as work, warnings.catch_warnings():
        warnings.simplefilter('ignore')
        engine = Engine(accelerator='cpu', devices=1, logger=False, default_root_dir=work, max_epochs=1,
                        enable_progress_bar=False, enable_model_summary=False)
        t0 = time.perf_counter(); engine.fit(model=model, datamodule=dm); t1 = time.perf_counter()
        res = engine.test(model=model, datamodule=dm, verbose=False); t2 = time.perf_counter()
    print(json.dumps(dict(method=args.method, arch=args.arch, fit_s=t1 - t0, test_s=t2 - t1,
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss_before_fit_mb=rss0,
                          n_train=int((samples.split == 'train').sum()), n_test=int((samples.split == 'test').sum()),
                          image_AUROC=float(res[0]['image_AUROC']))))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--methods', default='patchcore,padim')
    p.add_argument('--archs', default='resnet18,wide_resnet50_2')
    p.add_argument('--category', default='mono', choices=['mono', 'poly'])
    p.add_argument('--limit', type=int, default=None, help='cap images per folder (default: the full split)')
    p.add_argument('--size', type=int, default=256, help='input size in pixels (paper: 256)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--cache', default=str(Path(tempfile.gettempdir()) / 'fractal4ad-bench-data'))
    p.add_argument('--json', default=None, help='also write all runs to this JSON file')
    p.add_argument('--timeout', type=float, default=None, help='seconds per case before it is stopped and reported as failed')
    p.add_argument('--one', nargs=2, metavar=('METHOD', 'ARCH'), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        args.method, args.arch = args.one
        return one(args)
    runs = []
    for arch in args.archs.split(','):
        for method in args.methods.split(','):
            for r in range(args.repeats):
                cmd = [sys.executable, __file__, '--one', method, arch, '--category', args.category, '--size', str(args.size),
                       '--threads', str(args.threads), '--cache', args.cache] + (['--limit', str(args.limit)] if args.limit else [])
                t0 = time.perf_counter()
                try: out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    out = subprocess.CompletedProcess(cmd, 124, '', f'timed out after {args.timeout} s (--timeout)')
                if out.returncode:      # report it and go on with the other cases
                    last = [l for l in out.stderr.strip().splitlines() if l.strip()][-1:] or ['(no stderr)']
                    runs.append(dict(method=method, arch=arch, failed=last[0][:300], wall_s=time.perf_counter() - t0))
                    print(f"  {method} {arch} run {r}: FAILED after {runs[-1]['wall_s']:.0f} s: {last[0][:300]}", flush=True)
                    continue
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"  {method} {arch} run {r}: fit {runs[-1]['fit_s']:.1f} s, test {runs[-1]['test_s']:.1f} s, "
                      f"peak {runs[-1]['peak_rss_mb']:.0f} MB", flush=True)
    ok = [r for r in runs if 'failed' not in r]
    sizes = f"{ok[0]['n_train']} train / {ok[0]['n_test']} test images" if ok else 'no finished run'
    print(f"\nELPV {args.category}, {sizes}, {args.size} px, {args.threads} threads, median [min-max] of {args.repeats}:\n")
    print('| method | arch | fit s | test s | peak RSS MB |\n|---|---|---|---|---|')
    for arch in args.archs.split(','):
        for method in args.methods.split(','):
            rs = [r for r in ok if r['method'] == method and r['arch'] == arch]
            bad = [r for r in runs if r['method'] == method and r['arch'] == arch and 'failed' in r]
            if not rs:
                print(f"| {method} | {arch} | failed: {bad[0]['failed'][:80] if bad else 'not run'} | | |"); continue
            f = lambda k, d=1: f"{statistics.median(r[k] for r in rs):.{d}f} [{min(r[k] for r in rs):.{d}f}-{max(r[k] for r in rs):.{d}f}]"
            print(f"| {method} | {arch} | {f('fit_s')} | {f('test_s')} | {f('peak_rss_mb', 0)} |"
                  + (f" ({len(bad)} of {len(rs) + len(bad)} runs failed)" if bad else ''))
    if args.json: Path(args.json).write_text(json.dumps(runs, indent=1))
    if len(ok) < len(runs): sys.exit(1)

if __name__ == '__main__':
    main()
