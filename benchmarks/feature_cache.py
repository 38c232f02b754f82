"""Feature re-use across runs (ad.anomalib.FeatureCache): an evaluation shaped like the main job's question stage, with
the per-process feature cache on and off, side by side.

The workload: ELPV (the full split of each seed), efficientnet_lite0 with its offline ImageNet weights, anomalib
PatchCore and PaDiM, split seeds 101 and 102, 128 px, `cpu` scale, 2 validation images per label, one process with
--threads torch threads: 4 runs per category. With the cache each image is extracted once per process (alone) and
the other method and the other seed take it from memory; without it every run extracts every image in batches of 32.
Each case runs `run_eval` in a fresh process into a fresh results folder; cases alternate (off, on, off, on, ...) so
both see the same machine load. Printed: wall seconds of the whole evaluation (median [min-max] of --repeats), the
sum of the runs' fit and test seconds, the cache's hits and misses, and the largest difference of a run's image
AUROC between the two (per-image vs batched extraction: float rounding in the features).

    MALLOC_MMAP_THRESHOLD_=131072 OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/feature_cache.py --repeats 2
"""
import argparse, json, os, shlex, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def _uptime():
    try: return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError: return 'uptime unavailable'

def one(a):
    "One evaluation in this process; prints a JSON line."
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    from fractal4ad_nb.core import tame_malloc
    from fractal4ad_nb.ad.engine import run_eval, make_eval_config
    tame_malloc()
    cfg = make_eval_config('cpu', out=a.out, dataset='elpv', categories=a.categories.split(','), seeds=[int(s) for s in a.seeds.split(',')],
                           methods=['patchcore', 'padim'], backbones=[{'spec': 'imagenet', 'arch': 'efficientnet_lite0'}],
                           image_size=a.size, overlays=0, progress=False, val_images=2, accelerator='cpu', threads=a.threads,
                           feature_cache_mb=a.cache_mb)
    t0 = time.perf_counter(); df = run_eval(cfg); wall = time.perf_counter() - t0
    rows = df[['method', 'category', 'seed', 'image_AUROC', 'fit_s', 'test_s'] + [c for c in ('feature_hits', 'feature_misses') if c in df]]
    print(json.dumps(dict(wall_s=wall, runs=json.loads(rows.to_json(orient='records')))))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--threads', type=int, default=1, help='torch threads of the evaluation process')
    p.add_argument('--categories', default='mono', help='ELPV categories')
    p.add_argument('--seeds', default='101,102', help='split seeds')
    p.add_argument('--size', type=int, default=128, help='input size (px)')
    p.add_argument('--cache-mb', type=float, default=2048, help='the feature cache bound of the "on" case')
    p.add_argument('--data', default=str(Path(tempfile.gettempdir()) / 'fractal4ad-bench-data' / 'feature-cache'),
                   help='folder for the materialised ELPV splits (kept between calls)')
    p.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--out', default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one: return one(a)
    print('command:', shlex.join([Path(sys.executable).name, *sys.argv]),
          f"(MALLOC_MMAP_THRESHOLD_={os.environ.get('MALLOC_MMAP_THRESHOLD_', 'unset')}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')})")
    print('load before:', _uptime(), flush=True)
    res = {'off': [], 'on': []}
    env = {**os.environ, 'OMP_NUM_THREADS': str(a.threads), 'MKL_NUM_THREADS': str(a.threads)}
    for r in range(a.repeats):
        for case in ('off', 'on'):
            with tempfile.TemporaryDirectory() as out:
                data = Path(a.data); data.mkdir(parents=True, exist_ok=True)
                os.symlink(data, Path(out) / 'data')             # the ELPV splits are materialised once, for every case
                cmd = [sys.executable, __file__, '--one', '--out', out, '--threads', str(a.threads), '--categories', a.categories,
                       '--seeds', a.seeds, '--size', str(a.size), '--cache-mb', str(a.cache_mb if case == 'on' else 0)]
                p_ = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if p_.returncode:
                print(f"  {case} run {r}: FAILED: {(p_.stderr.strip().splitlines() or ['?'])[-1][:300]}", flush=True); continue
            d = json.loads(p_.stdout.strip().splitlines()[-1]); res[case].append(d)
            h = sum(x.get('feature_hits') or 0 for x in d['runs']); m = sum(x.get('feature_misses') or 0 for x in d['runs'])
            print(f"  cache {case} run {r}: {d['wall_s']:.0f} s, {len(d['runs'])} runs" + (f", {h} hits / {m} misses" if case == 'on' else ''), flush=True)
    if not res['off'] or not res['on']: sys.exit('a case failed: no table')
    med = lambda xs: f"{statistics.median(xs):.0f} [{min(xs):.0f}-{max(xs):.0f}]"
    print(f"\nELPV {a.categories}, seeds {a.seeds}, efficientnet_lite0 ImageNet, PatchCore + PaDiM, {a.size} px, {a.threads} thread(s); "
          f"median [min-max] of {a.repeats}:\n")
    print('| feature cache | wall s | sum of fit s | sum of test s | images from the cache / extracted |\n|---|---|---|---|---|')
    for case in ('off', 'on'):
        ds = res[case]
        hm = '–' if case == 'off' else f"{sum(x.get('feature_hits') or 0 for x in ds[0]['runs']):,} / {sum(x.get('feature_misses') or 0 for x in ds[0]['runs']):,}"
        print(f"| {case} | {med([d['wall_s'] for d in ds])} | {med([sum(x['fit_s'] for x in d['runs']) for d in ds])} "
              f"| {med([sum(x['test_s'] for x in d['runs']) for d in ds])} | {hm} |")
    ratio = statistics.median(d['wall_s'] for d in res['off']) / statistics.median(d['wall_s'] for d in res['on'])
    key = lambda x: (x['method'], x['category'], x['seed'])
    off = {key(x): x['image_AUROC'] for x in res['off'][0]['runs']}
    diffs = [abs(x['image_AUROC'] - off[key(x)]) for x in res['on'][0]['runs'] if key(x) in off]
    aurocs = lambda d: [x['image_AUROC'] for x in sorted(d['runs'], key=key)]
    same = all(aurocs(d) == aurocs(res['on'][0]) for d in res['on'])
    print(f"\nspeed-up of the whole evaluation: {ratio:.2f}x; largest |image AUROC difference| of a run, on vs off: {max(diffs):.2e}; "
          f"AUROCs identical across the 'on' repeats: {same}")
    print('load after:', _uptime())

if __name__ == '__main__':
    main()
