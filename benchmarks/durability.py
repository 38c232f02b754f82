"""What reliability costs in the dataset writer (issue 17): `durable=True` (fsync of every image and manifest line)
against the default, and the check a resume runs on every finished file (SHA-256 of listed files; decode + re-encode
of unlisted ones) against the time it took to write them.

Both settings write the same Fractals images (--size px, --niter points) side by side in each round, alternating,
into fresh folders under --dir (the disk under test: fsync cost is a property of the disk); medians over --repeats
rounds. Then, on one finished folder: a resume that finds everything listed (hash check only), and one whose
manifest was deleted (every file decoded and re-encoded).

    .venv/bin/python benchmarks/durability.py                         # 64 images of 256 px, 3 rounds, in /tmp
    .venv/bin/python benchmarks/durability.py --dir /data --n 200     # on the disk a real job writes to
"""
import argparse, os, shutil, statistics, sys, tempfile, time
from pathlib import Path

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--n', type=int, default=64, help='images per run')
p.add_argument('--size', type=int, default=256, help='image side in pixels')
p.add_argument('--niter', type=int, default=20000, help='chaos-game points per image')
p.add_argument('--repeats', type=int, default=3, help='rounds (medians are reported)')
p.add_argument('--workers', type=int, default=1, help='writer processes')
p.add_argument('--dir', default=tempfile.gettempdir(), help='where the datasets are written (the disk under test)')
a = p.parse_args()

from fractal4ad_nb.ifs import sample_bank
from fractal4ad_nb.render import FractalsRecipe, FractalConfig
from fractal4ad_nb.data import write_dataset, manifest_path

rec = FractalsRecipe(sample_bank(4, 0), 4, max(1, a.n // 4), 4, 0, FractalConfig(size=a.size, niter=a.niter))
root = Path(tempfile.mkdtemp(prefix='durability-', dir=a.dir))
times = {False: [], True: []}
try:
    write_dataset(rec, root / 'warm', workers=a.workers, progress=False)      # numba compilation, page cache
    for r in range(a.repeats):
        for durable in (False, True) if r % 2 == 0 else (True, False):
            out = root / f'r{r}-{durable}'
            t0 = time.perf_counter(); write_dataset(rec, out, workers=a.workers, progress=False, durable=durable)
            times[durable].append(time.perf_counter() - t0); shutil.rmtree(out)
    plain, dur = statistics.median(times[False]), statistics.median(times[True])
    chk, relog = [], []
    for _ in range(a.repeats):
        t0 = time.perf_counter(); r = write_dataset(rec, root / 'warm', workers=a.workers, progress=False); chk.append(time.perf_counter() - t0)
        assert r['written'] == 0 and not r['repaired'], r
        manifest_path(root / 'warm', (0, 1)).unlink()
        t0 = time.perf_counter(); r = write_dataset(rec, root / 'warm', workers=a.workers, progress=False); relog.append(time.perf_counter() - t0)
        assert r['relogged'] == len(rec), r
    n = len(rec)
    print(f"{n} images of {a.size} px, {a.workers} writer(s), in {a.dir}, load {os.getloadavg()[0]:.1f}, medians of {a.repeats}")
    print(f"write, default      : {plain:7.2f} s  ({n / plain:6.1f} img/s)")
    print(f"write, durable=True : {dur:7.2f} s  ({n / dur:6.1f} img/s)  x{dur / plain:.2f} the default")
    print(f"resume, all listed  : {statistics.median(chk):7.2f} s  ({100 * statistics.median(chk) / plain:.0f}% of writing them; hash check)")
    print(f"resume, no manifest : {statistics.median(relog):7.2f} s  ({100 * statistics.median(relog) / plain:.0f}% of writing them; decode + re-encode)")
    print(f"rerun: {sys.executable} {' '.join(sys.argv)}")
finally:
    shutil.rmtree(root, ignore_errors=True)
