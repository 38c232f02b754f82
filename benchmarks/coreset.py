"""PatchCore's greedy coreset: anomalib's KCenterGreedy vs this project's sampler (fractal4ad_nb.ad.coreset), CPU.

Two parts, both printing the command to rerun them and the machine's load (`uptime`) before and after:

speed   Seconds of the coreset step alone on the same features (ELPV mono training images through a random resnet18,
        PatchCore's layer2+layer3 embedding), ratio 0.1, for N = 22,528 / 90,112 / 360,448 patches (352 images at
        64 / 128 / 256 px), and the peak resident memory of each case (every case runs in a fresh process). anomalib's
        loop costs the same at every step (a full pass over all N projected features), so where its full run would take
        longer than --max-anomalib-s it is timed over its first steps and the full time is extrapolated (marked `~`).
        The picks of both samplers are compared where anomalib ran to the end. With --fit also `engine.fit` (feature
        extraction, coreset, the validation pass that scores every test image) of a whole PatchCore run on the full
        ELPV mono split with our sampler, and with anomalib's where that finishes within --max-anomalib-s.

parity  Image and pixel AUROC of PatchCore runs with either sampler through the evaluation engine (run_eval; random
        resnet18, `cpu` scale settings, --size px), on ELPV mono and poly and the texture benchmark (brick, grass,
        gravel; synthetic anomalies), for several split seeds: the mean over seeds per category and sampler, and the
        difference. The engine's results folder (--out) keeps every run; rerunning resumes.

    MALLOC_MMAP_THRESHOLD_=131072 .venv/bin/python benchmarks/coreset.py speed --sizes 64,128,256 --repeats 3
    MALLOC_MMAP_THRESHOLD_=131072 .venv/bin/python benchmarks/coreset.py speed --sizes 256 --fit --repeats 1
    MALLOC_MMAP_THRESHOLD_=131072 .venv/bin/python benchmarks/coreset.py parity --size 64 --seeds 0-2 --out /tmp/coreset-parity-64
"""
import argparse, json, os, shlex, statistics, subprocess, sys, tempfile, time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / 'fractal4ad-bench-data'

def _uptime():
    try: return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError: return 'uptime unavailable'

def _peak_mb():
    """This process's peak resident memory (VmHWM, MB). Not ru_maxrss: Linux keeps that across fork + exec, so every case
    would report at least the parent's peak (the feature extraction)."""
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024
    return float('nan')

def _setup(threads):
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    import torch
    from fractal4ad_nb.core import tame_malloc
    tame_malloc(); torch.set_num_threads(threads)

def _features(size, cache, category='mono'):
    "PatchCore's training embedding (N, 384) of the full ELPV split at `size` px through a random resnet18 (cached)."
    import numpy as np, torch
    f = Path(cache) / f"elpv-{category}-r18-{size}.npy"
    if f.is_file(): return torch.from_numpy(np.load(f))
    from fractal4ad_nb.backbone import random_backbone
    from fractal4ad_nb.ad.data import materialise_elpv, category_samples, load_images
    from fractal4ad_nb.ad.anomalib import inject_backbone
    from anomalib.models.image.patchcore.torch_model import PatchcoreModel
    root = materialise_elpv(Path(cache) / 'elpv-s0', 0, progress=False)
    s = category_samples(root / category); paths = s[s.split == 'train'].image_path.tolist()
    bb = random_backbone('resnet18', 0)
    m = PatchcoreModel(layers=['layer2', 'layer3'], backbone='resnet18', pre_trained=False)
    inject_backbone(m.feature_extractor.feature_extractor, bb); m.train()
    mean, std = torch.tensor(bb.mean).view(1, 3, 1, 1), torch.tensor(bb.std).view(1, 3, 1, 1)
    with torch.no_grad():
        for i in range(0, len(paths), 32): m((load_images(paths[i:i + 32], size).float() / 255 - mean) / std)
    E = torch.vstack(m.embedding_store)
    f.parent.mkdir(parents=True, exist_ok=True); tmp = f.with_suffix('.tmp.npy'); np.save(tmp, E.numpy()); tmp.rename(f)
    return E

def one_coreset(a):
    "One case in this process: the coreset of the cached features; prints a JSON line."
    _setup(a.threads)
    import numpy as np, torch
    from fractal4ad_nb.ad.coreset import coreset_select
    import anomalib.models.components.sampling.k_center_greedy as kcg
    stamps = []
    def _clock(it, *x, **k):                 # anomalib's progress bar replaced by a clock on its steps (benchmark only)
        for v in it: stamps.append(time.perf_counter()); yield v
    kcg.tqdm = _clock
    E = _features(a.size, a.cache)
    N = len(E); n = int(N * 0.1); ratio = 0.1
    if a.steps and a.steps < n: ratio = (a.steps + 0.5) / N   # the first `steps` steps only (anomalib: timing; ours: memory)
    rss0 = _peak_mb()
    from anomalib.models.components.dimensionality_reduction import SparseRandomProjection
    torch.manual_seed(1); np.random.seed(1)
    t0 = time.perf_counter(); P = SparseRandomProjection(eps=0.9); P.fit(E); P.transform(E); proj = time.perf_counter() - t0; del P
    torch.manual_seed(0); np.random.seed(0)
    info = {}
    t0 = time.perf_counter(); idx = coreset_select(E, ratio, a.sampler, info); t = time.perf_counter() - t0
    steps = len(idx)
    d = np.diff(stamps[10:]) if len(stamps) > 20 else np.diff(stamps) if len(stamps) > 1 else np.array([t])
    step_s = float(d.mean())                 # anomalib: mean seconds per step after the first ten (first-touch warm-up)
    out = dict(sampler=a.sampler, size=a.size, N=N, n=n, steps=steps, seconds=t, full=steps == n,
               seconds_full=t if steps == n else proj + step_s * (n - 1), projection_s=proj, step_s=step_s,
               peak_rss_mb=_peak_mb(), rss_before_mb=rss0,
               distances=info.get('distances'), threads=a.threads)
    np.save(Path(a.cache) / f"picks-{a.sampler}-{a.size}.npy", idx.numpy())
    print(json.dumps(out))

def one_fit(a):
    "A whole anomalib PatchCore fit + test on the full ELPV mono split at `size` px with `sampler`; prints a JSON line."
    _setup(a.threads)
    import warnings, lightning, torch
    from fractal4ad_nb.backbone import random_backbone
    from fractal4ad_nb.ad.data import materialise_elpv, category_samples
    from fractal4ad_nb.ad.anomalib import build_model, method_spec, LayoutDataModule, ScoreCollector
    from fractal4ad_nb.ad.metrics import auroc
    from anomalib.engine import Engine
    import anomalib.models.components.sampling.k_center_greedy as kcg
    kcg.tqdm = lambda it, *x, **k: it
    samples = category_samples(materialise_elpv(Path(a.cache) / 'elpv-s0', 0, progress=False) / 'mono')
    if a.sampler == 'anomalib':   # as run_anomalib does: with a 32 MiB threshold its per-step arrays grew one process to 23 GB (OOM-killed)
        from fractal4ad_nb.core import tame_malloc
        tame_malloc(131072)
    spec, _ = method_spec('patchcore', 'paper')
    lightning.seed_everything(0, verbose=False)
    model = build_model('patchcore', random_backbone('resnet18', 0), a.size, sampler=a.sampler)
    dm = LayoutDataModule(samples, 'elpv', 'mono', spec.train_batch, spec.eval_batch, 0, 0)
    with tempfile.TemporaryDirectory() as work, warnings.catch_warnings():
        warnings.simplefilter('ignore')
        col = ScoreCollector([])         # the raw test scores (the model has no evaluator: the project computes metrics)
        engine = Engine(accelerator='cpu', devices=1, logger=False, default_root_dir=work, max_epochs=1, callbacks=[col],
                        enable_progress_bar=False, enable_model_summary=False)
        t0 = time.perf_counter(); engine.fit(model=model, datamodule=dm); t1 = time.perf_counter()
        engine.test(model=model, datamodule=dm, verbose=False); t2 = time.perf_counter()
    ci = model.model.coreset_info
    sc = col.table()
    print(json.dumps(dict(sampler=a.sampler, size=a.size, fit_s=t1 - t0, test_s=t2 - t1, coreset_s=ci['seconds'],
                          N=ci['n_patches'], n=ci['n'], image_AUROC=float(auroc(sc.pred_score.to_numpy(), sc.gt_label.to_numpy())),
                          peak_rss_mb=_peak_mb(), threads=a.threads)))

def _sub(args, timeout):
    cmd = [sys.executable, __file__] + args
    try: p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return dict(failed=f'timed out after {timeout} s')
    if p.returncode:
        last = [l for l in p.stderr.strip().splitlines() if l.strip()][-1:] or ['(no stderr)']
        return dict(failed=last[0][:300])
    return json.loads(p.stdout.strip().splitlines()[-1])

def _med(rs, k, d=1):
    v = [r[k] for r in rs]
    return f"{statistics.median(v):.{d}f}" + (f" [{min(v):.{d}f}-{max(v):.{d}f}]" if len(v) > 1 else '')

def speed(a):
    sizes = [int(s) for s in a.sizes.split(',')]
    for size in sizes: _features(size, a.cache)            # extract once, outside the timed processes
    rows = {(size, s): [] for size in sizes for s in ('fast', 'anomalib')}
    for size in sizes:
        for r in range(a.repeats):                  # the two samplers alternate, so both see the same machine load
            for sampler in ('fast', 'anomalib'):
                steps = None
                if sampler == 'anomalib':   # how many steps fit in --max-anomalib-s, from a short probe
                    probe = _sub(['--one-coreset', 'anomalib', str(size), '--steps', '40', '--threads', str(a.threads), '--cache', a.cache], None)
                    if 'failed' in probe: print(f"  {size} px anomalib probe failed: {probe['failed']}"); continue
                    per = probe['step_s']
                    steps = None if per * probe['n'] <= a.max_anomalib_s else max(40, int(a.max_anomalib_s / per))
                res = _sub(['--one-coreset', sampler, str(size), '--threads', str(a.threads), '--cache', a.cache]
                           + (['--steps', str(steps)] if steps else []), None)
                if 'failed' not in res: rows[(size, sampler)].append(res)
                print(f"  {size} px {sampler} run {r}: " + (res.get('failed') or
                      f"N {res['N']}, {res['steps']} of {res['n']} steps in {res['seconds']:.1f} s"
                      + ('' if res['full'] else f" (full run ~{res['seconds_full']:.0f} s)") + f", peak {res['peak_rss_mb']:.0f} MB"), flush=True)
    import numpy as np
    print(f"\nCoreset step alone (ratio 0.1), same features, {a.threads} torch threads, median [min-max] of {a.repeats}:\n")
    print('| px | N patches | coreset n | anomalib s | ours s | speed-up | anomalib peak MB (+ over start) | ours peak MB (+ over start) | identical picks |')
    print('|---|---|---|---|---|---|---|---|---|')
    for size in sizes:
        f, an = rows[(size, 'fast')], rows[(size, 'anomalib')]
        if not f or not an: print(f"| {size} | failed | | | | | | | |"); continue
        full = all(r['full'] for r in an)
        tf, ta = statistics.median(r['seconds'] for r in f), statistics.median(r['seconds_full'] for r in an)
        same = '–'
        pf, pa = Path(a.cache) / f"picks-fast-{size}.npy", Path(a.cache) / f"picks-anomalib-{size}.npy"
        if pf.is_file() and pa.is_file():
            x, y = np.load(pf), np.load(pa); k = min(len(x), len(y))
            first = int(np.argmax(x[:k] != y[:k])) if (x[:k] != y[:k]).any() else k
            same = f"{(x[:k] == y[:k]).mean():.1%} of the first {k} (first difference at step {first})" if first < k else f"all {k}" + ('' if full else ' compared')
        print(f"| {size} | {f[0]['N']:,} | {f[0]['n']:,} | {'' if full else '~'}{ta:.0f} | {_med(f, 'seconds')} | {'' if full else '~'}{ta / tf:.0f}x "
              f"| {_med(an, 'peak_rss_mb', 0)} (+{statistics.median(r['peak_rss_mb'] - r['rss_before_mb'] for r in an):.0f}) "
              f"| {_med(f, 'peak_rss_mb', 0)} (+{statistics.median(r['peak_rss_mb'] - r['rss_before_mb'] for r in f):.0f}) | {same} |")
    print("\n~: extrapolated from the first steps (anomalib's loop costs the same at every step: mean seconds per step after the "
          "first ten, times the steps, plus the projection, timed apart). Peak MB: the whole process "
          "(imports and the features N x 384 included); + over start: above the peak before the coreset step.")
    if a.fit:
        print(f"\nWhole PatchCore run, full ELPV mono split (352 train / 549 test images), random resnet18, {a.threads} threads, "
              f"median [min-max] of {a.repeats}:\n")
        print('| px | sampler | fit s (extraction + coreset + validation) | coreset s | test s | image AUROC | peak MB |\n|---|---|---|---|---|---|---|')
        fits = {}
        for size in sizes:
            co = rows[(size, 'anomalib')]
            est = statistics.median(r['seconds_full'] for r in co) if co else None
            todo = ['fast'] + (['anomalib'] if est is not None and est <= a.max_anomalib_fit_s else [])
            for r in range(a.repeats):
                for sampler in todo:
                    fits.setdefault((size, sampler), []).append(_sub(['--one-fit', sampler, str(size), '--threads', str(a.threads), '--cache', a.cache], None))
            for sampler in ('fast', 'anomalib'):
                ok = [r for r in fits.get((size, sampler), []) if 'failed' not in r]
                if sampler == 'anomalib' and sampler not in todo:
                    f = [r for r in fits.get((size, 'fast'), []) if 'failed' not in r]
                    derived = (f"~{statistics.median(r['fit_s'] - r['coreset_s'] for r in f) + est:.0f} (derived: our fit minus our coreset "
                               f"plus anomalib's ~{est:.0f} s coreset; not run, > --max-anomalib-fit-s)") if f and est else 'not run'
                    print(f"| {size} | anomalib | {derived} | ~{est:.0f} | | | |" if est else f"| {size} | anomalib | not run | | | | |"); continue
                if not ok:
                    bad = fits.get((size, sampler), [{}]); print(f"| {size} | {sampler} | failed: {str(bad[0].get('failed'))[:80]} | | | | |"); continue
                print(f"| {size} | {sampler} | {_med(ok, 'fit_s')} | {_med(ok, 'coreset_s')} | {_med(ok, 'test_s')} | "
                      f"{_med(ok, 'image_AUROC', 3)} | {_med(ok, 'peak_rss_mb', 0)} |", flush=True)

def parity(a):
    _setup(a.threads)
    import pandas as pd
    from fractal4ad_nb.ad.engine import run_eval, parse_seeds, read_results
    methods = ['patchcore', {'method': 'patchcore', 'sampler': 'anomalib', 'label': 'patchcore-anomalib'}]
    dfs = []
    for ds in a.datasets.split(','):
        t0 = time.perf_counter()
        if a.no_run:                       # the table of the runs the folder holds (e.g. a run stopped part-way)
            if (Path(a.out) / ds / 'results.csv').is_file(): dfs.append(read_results(Path(a.out) / ds))
            continue
        dfs.append(run_eval(dict(out=str(Path(a.out) / ds), dataset=ds, seeds=parse_seeds(a.seeds), methods=methods, backbones=['random'],
                                 image_size=a.size, overlays=0, progress=False, limit=a.limit), 'cpu'))
        print(f"  {ds}: {len(dfs[-1])} runs ({time.perf_counter() - t0:.0f} s this call)", flush=True)
    df = pd.concat(dfs, ignore_index=True) if dfs else pd.DataFrame(columns=['method', 'dataset', 'category', 'seed'])
    df = df[df.method.isin(['patchcore', 'patchcore-anomalib'])].copy()
    df['sampler'] = df.method.map({'patchcore': 'fast', 'patchcore-anomalib': 'anomalib'})
    print(f"\nPatchCore AUROC with either coreset sampler (random resnet18, {a.size} px, cpu-scale settings, seeds {a.seeds}); "
          f"mean over seeds; diff = ours - anomalib's:\n")
    print('| dataset | category | metric | anomalib | ours | diff | max abs diff of a seed | fit s anomalib | fit s ours | seeds |\n|---|---|---|---|---|---|---|---|---|---|')
    worst = 0.0
    for (ds, cat), g in df.groupby(['dataset', 'category'], sort=True):
        both = g.groupby('seed').sampler.nunique().pipe(lambda c: c[c == 2].index)   # seeds run with both samplers
        if not len(both): print(f"| {ds} | {cat} | (no seed run with both samplers yet) | | | | | | |"); continue
        p = g[g.seed.isin(both)].pivot_table(index='seed', columns='sampler', values=['image_AUROC', 'pixel_AUROC', 'fit_s'], dropna=False)
        for m in ('image_AUROC', 'pixel_AUROC'):
            if m not in p or p[m].isna().all().all(): continue
            d = (p[m]['fast'] - p[m]['anomalib'])
            worst = max(worst, abs(d.mean()))
            print(f"| {ds} | {cat} | {m} | {p[m]['anomalib'].mean():.4f} | {p[m]['fast'].mean():.4f} | {d.mean():+.4f} | {d.abs().max():.4f} "
                  f"| {p['fit_s']['anomalib'].median():.1f} | {p['fit_s']['fast'].median():.1f} | seeds {','.join(map(str, both))} |")
    print(f"\nlargest |mean difference|: {worst:.4f} (acceptance: <= 0.005)")

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('part', nargs='?', choices=['speed', 'parity'], default='speed')
    p.add_argument('--sizes', default='64,128,256', help='speed: input sizes (352 ELPV mono images: N = 352 * (size/8)^2)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='torch threads per process')
    p.add_argument('--max-anomalib-s', type=float, default=600, help="speed: time anomalib's loop over at most this long, then extrapolate")
    p.add_argument('--fit', action='store_true', help='speed: also whole PatchCore fits on the full ELPV mono split')
    p.add_argument('--max-anomalib-fit-s', type=float, default=900, help="speed --fit: run anomalib's whole fit only where its coreset takes at most this long")
    p.add_argument('--cache', default=str(CACHE))
    p.add_argument('--size', type=int, default=64, help='parity: input size')
    p.add_argument('--seeds', default='0-2', help='parity: split seeds')
    p.add_argument('--datasets', default='elpv,textures', help='parity: datasets')
    p.add_argument('--limit', type=int, default=None, help='parity: cap images per folder (ELPV default: the full split; textures: 64)')
    p.add_argument('--no-run', action='store_true', help='parity: only print the table of the runs already in --out')
    p.add_argument('--out', default=str(Path(tempfile.gettempdir()) / 'coreset-parity'), help='parity: results folder')
    p.add_argument('--one-coreset', nargs=2, metavar=('SAMPLER', 'SIZE'), help=argparse.SUPPRESS)
    p.add_argument('--one-fit', nargs=2, metavar=('SAMPLER', 'SIZE'), help=argparse.SUPPRESS)
    p.add_argument('--steps', type=int, default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one_coreset or a.one_fit:
        a.sampler, a.size = (a.one_coreset or a.one_fit)[0], int((a.one_coreset or a.one_fit)[1])
        return one_coreset(a) if a.one_coreset else one_fit(a)
    print('command:', shlex.join([Path(sys.executable).name, *sys.argv]), f"(MALLOC_MMAP_THRESHOLD_={os.environ.get('MALLOC_MMAP_THRESHOLD_', 'unset')})")
    print('load before:', _uptime(), flush=True)
    speed(a) if a.part == 'speed' else parity(a)
    print('\nload after:', _uptime())

if __name__ == '__main__':
    main()
