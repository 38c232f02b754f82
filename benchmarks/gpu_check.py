"""The first GPU session of the paper profile: what a CPU cannot show, in one script (under 8 minutes on one H100/H200).

    .venv/bin/python benchmarks/gpu_check.py --out gpu_check.json          # on the GPU machine
    .venv/bin/python benchmarks/gpu_check.py --smoke --out /tmp/gc.json    # tiny sizes, any machine (the test suite runs it)

Steps (each timed, with its peak GPU memory; a failure is recorded and the script goes on, then exits 1):

1. `mandelbulb`: the torch backend on CUDA (the paper profile's MandelbulbVAR source): seconds per 512 px image, rendered
   through `MandelbulbVARRecipe(backend='torch')` as the dataset writer does, after a check that CUDA and numba agree
   at 64 px (the tolerance of the mandelbulb notebooks).
2. `pretrain_<arch>_<source>`: pre-training images/s at 224 px crops for resnet18 and WRN-50-2 with the paper preset
   on the GPU (bf16-mixed, channels-last, chosen by 'auto'; `pretrain.Throughput`, which includes loading), from a
   512 px Fractals folder on disk and rendered on the fly in the loader workers (does generation keep up?), plus the
   model alone on synthetic batches (the ceiling).
3. `ddp_launch`: `reproduce.launch_pretrain` (torchrun, NCCL, strategy ddp, SyncBatchNorm) with one process: the path
   the stages take on a multi-GPU node.
4. `patchcore`, `padim`: fit / test seconds with a random WRN-50-2 at 256 px (the paper's settings) on the texture
   benchmark (64 training and 64 test patches of 256 px, brick); `cflow_1epoch`, `fastflow_1epoch`,
   `reverse_distillation_1epoch`, `stfpm_1epoch`: the other four methods, the paper's settings for one epoch (they run
   on CUDA, and what an epoch costs); `ad_forward`: the feature extractor's images/s.
5. `ad_loader`: decode + resize of a 1024 px PNG in one process (the evaluation's num_workers=0 loader), on this CPU.

The JSON holds every step's numbers and, under `rates`, the values `fractal4ad-reproduce --rates FILE` uses for its
time estimate in place of the assumptions (`reproduce.RATES`), and under `estimate_paper` the paper profile's plan and
estimate computed with them.
"""
import argparse, json, os, platform, shutil, sys, tempfile, time, traceback
from dataclasses import replace
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('MALLOC_MMAP_THRESHOLD_', '131072')
import numpy as np
import torch

def _peak_reset(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()

def _peak_mb(dev):
    if dev.type != 'cuda': return None
    torch.cuda.synchronize(); return round(torch.cuda.max_memory_allocated() / 2**20, 1)

class Check:
    "Runs named steps, records their numbers, seconds and peak GPU memory, and every failure."
    def __init__(self, dev): self.dev, self.steps, self.failures = dev, {}, []
    def run(self, name, fn):
        print(f"== {name}", flush=True)
        _peak_reset(self.dev); t0 = time.perf_counter()
        try: res = fn() or {}
        except Exception as e:
            self.failures.append(name); res = {'error': f"{type(e).__name__}: {e}", 'traceback': traceback.format_exc()[-3000:]}
            print(res['traceback'], flush=True)
        res.update(seconds=round(time.perf_counter() - t0, 2), peak_gpu_mb=_peak_mb(self.dev))
        self.steps[name] = res
        print(f"   {json.dumps({k: v for k, v in res.items() if k != 'traceback'})}", flush=True)
        return res

def step_mandelbulb(dev, size, n):
    from fractal4ad_nb.mandelbulbvar import MandelbulbVARRecipe, render_mandelbulb
    a = render_mandelbulb(11, 332, np.random.default_rng(2), size=64)                       # numba
    b = render_mandelbulb(11, 332, np.random.default_rng(2), size=64, backend='torch', device=str(dev))
    d = np.abs(a.astype(int) - b.astype(int)).max(-1)
    if not (d.mean() <= 1.0 and (d > 2).mean() <= 0.06): raise AssertionError(f"torch ({dev}) and numba disagree at 64 px: mean |diff| {d.mean():.3f}")
    rec = MandelbulbVARRecipe([8], [107], n + 1, size=size, seed=0, backend='torch')
    rec.render(0)                                                                             # warm-up
    _peak_reset(dev); t0 = time.perf_counter()
    for i in range(1, n + 1): rec.render(i)
    if dev.type == 'cuda': torch.cuda.synchronize()
    return dict(size=size, images=n, s_per_image=round((time.perf_counter() - t0) / n, 4), vs_numba_mean_abs_diff=round(float(d.mean()), 3))

class _OnTheFly(torch.utils.data.Dataset):
    "A recipe rendered in the loader workers, as pretrain reads a Dataset."
    def __init__(self, recipe): self.recipe, self.num_classes = recipe, recipe.C
    def __len__(self): return len(self.recipe)
    def label(self, i): return self.recipe.label(i)
    def __getitem__(self, i): return self.recipe.render(i), self.recipe.label(i)

def step_pretrain(dev, arch, source, data, recipe, work, a):
    from fractal4ad_nb.pretrain import make_config, pretrain
    cfg = make_config('paper', arch=arch, epochs=a.epochs, batch_size=a.batch, crop=a.crop, num_workers=a.workers, val_fraction=0.0,
                      devices=1,    # one process: several in a script would make Lightning start copies of this script
                      **({} if dev.type == 'cuda' else dict(accelerator='cpu', precision='bf16-mixed', channels_last=True)))
    r = pretrain(data if source == 'disk' else _OnTheFly(recipe), work / f"{arch}-{source}", cfg, progress=False)
    return dict(arch=arch, source=source, crop=a.crop, batch=a.batch, workers=a.workers, images_per_s=r['train_images_per_s'],
                steps=r['steps'], seconds_total=r['seconds'])

def step_synthetic(dev, arch, a):
    from fractal4ad_nb.pretrain import Classifier
    m = Classifier(arch, 200, channels_last=True).to(dev)
    opt = m.configure_optimizers()['optimizer']
    x = torch.randn(a.batch, 3, a.crop, a.crop, device=dev).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 200, (a.batch,), device=dev)
    for i in range(a.synthetic_steps + 3):
        if i == 3:
            if dev.type == 'cuda': torch.cuda.synchronize()
            t0 = time.perf_counter()
        with torch.autocast(dev.type, torch.bfloat16): loss = torch.nn.functional.cross_entropy(m(x), y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    if dev.type == 'cuda': torch.cuda.synchronize()
    return dict(arch=arch, crop=a.crop, batch=a.batch, images_per_s=round(a.synthetic_steps * a.batch / (time.perf_counter() - t0), 1))

def step_ddp(dev, data, work, a):
    from fractal4ad_nb.pretrain import make_config
    from fractal4ad_nb.reproduce import launch_pretrain
    hw = {} if dev.type == 'cuda' else dict(accelerator='cpu', precision='bf16-mixed', channels_last=True, sync_batchnorm=False)
    cfg = make_config('paper', arch='resnet18', epochs=1, batch_size=a.batch, crop=a.crop, num_workers=min(4, a.workers), val_fraction=0.0,
                      strategy='ddp', max_steps=5, **hw)
    r = launch_pretrain(data, work / 'ddp', cfg, nproc=1, timeout=600)
    rec = json.loads((work / 'ddp' / 'pretrain.json').read_text())['config']
    return dict(steps=r['steps'], world_size=r['world_size'], sync_batchnorm=rec['sync_batchnorm'], precision=rec['precision'])

def step_anomalib(dev, method, samples, a, scale='paper'):
    from fractal4ad_nb.backbone import random_backbone
    from fractal4ad_nb.ad.anomalib import run_anomalib
    bb = random_backbone('wide_resnet50_2', 0)
    with tempfile.TemporaryDirectory() as w:   # accelerator 'auto', as the profiles run it (the GPU when there is one)
        row, scores, _ = run_anomalib(method, bb, samples, w, dataset='textures-synthetic', category='brick', scale=scale,
                                      image_size=a.ad_size, n_overlays=0, accelerator='auto' if dev.type == 'cuda' else 'cpu', folder=None
                                      if method != 'stfpm' else _stfpm_folder(bb, w))
    return dict(method=method, scale=scale, image_size=a.ad_size, epochs=row['epochs'], n_train=row['n_train'],
                n_test=row['n_test_good'] + row['n_test_anomalous'], fit_s=row['fit_s'], test_s=row['test_s'],
                image_AUROC=round(row['image_AUROC'], 4), pixel_AUROC=round(row['pixel_AUROC'], 4))

def _stfpm_folder(bb, w):
    from fractal4ad_nb.backbone import backbone_folder
    return backbone_folder(bb, Path(w) / 'weights')

def step_ad_forward(dev, a):
    import timm
    m = timm.create_model('wide_resnet50_2', features_only=True, out_indices=(1, 2, 3)).to(dev).eval()
    x = torch.randn(min(32, a.ad_images), 3, a.ad_size, a.ad_size, device=dev)
    with torch.no_grad():
        for i in range(8):
            if i == 3:
                if dev.type == 'cuda': torch.cuda.synchronize()
                t0 = time.perf_counter()
            m(x)
        if dev.type == 'cuda': torch.cuda.synchronize()
    return dict(image_size=a.ad_size, batch=len(x), images_per_s=round(5 * len(x) / (time.perf_counter() - t0), 1))

def step_ad_loader(a):
    import cv2
    img = cv2.GaussianBlur(np.random.default_rng(0).integers(0, 256, (1024, 1024, 3)).astype(np.uint8), (0, 0), 3)
    buf = cv2.imencode('.png', img)[1]
    t0 = time.perf_counter()
    for _ in range(20): cv2.resize(cv2.imdecode(buf, cv2.IMREAD_COLOR), (a.ad_size, a.ad_size), interpolation=cv2.INTER_AREA)
    return dict(images_per_s=round(20 / (time.perf_counter() - t0), 1))

def load_rates_from(out):
    "The rates of this check in the form reproduce.load_rates gives them."
    from fractal4ad_nb.reproduce import RATES
    src = f"measured by benchmarks/gpu_check.py on {out['device']} ({out['finished']})"
    return {k: (float(v), RATES['cuda'].get(k, RATES['cpu'].get(k))[1], src) for k, v in out['rates'].items()}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='gpu_check.json', help='the JSON file to write')
    ap.add_argument('--smoke', action='store_true', help='tiny sizes: runs anywhere (CPU) in a few minutes; numbers are meaningless')
    ap.add_argument('--device', default=None, help="torch device (default: cuda when available; the full check needs one)")
    ap.add_argument('--work', default=None, help='scratch folder (default: a temporary one, removed at the end)')
    a = ap.parse_args(argv)
    dev = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if dev.type != 'cuda' and not a.smoke:
        print('error: no CUDA device; the full check needs a GPU (use --smoke to test the script on a CPU)', file=sys.stderr); return 2
    full = not a.smoke
    a.mb_size, a.mb_images = (512, 4) if full else (32, 1)
    a.images, a.img_size = (2048, 512) if full else (24, 48)
    a.crop, a.batch, a.epochs = (224, 256, 3) if full else (32, 4, 2)
    a.workers = min(16, os.cpu_count() or 1) if full else 0
    a.synthetic_steps = 20 if full else 2
    a.ad_size, a.ad_images = (256, 64) if full else (64, 16)   # CFlow: >= 64 feature vectors per batch at WRN-50-2 layer4
    work = Path(a.work or tempfile.mkdtemp(prefix='f4ad-gpu-check-')); work.mkdir(parents=True, exist_ok=True)
    c = Check(dev)
    info = dict(device=torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f"cpu ({os.cpu_count()} cores)", torch=torch.__version__,
                cuda=torch.version.cuda, bf16=bool(dev.type == 'cuda' and torch.cuda.is_bf16_supported()), cpu_count=os.cpu_count(),
                python=platform.python_version(), smoke=a.smoke, started=time.strftime('%Y-%m-%d %H:%M:%S'))
    print(json.dumps(info), flush=True)
    t_all = time.perf_counter()
    c.run('mandelbulb', lambda: step_mandelbulb(dev, a.mb_size, a.mb_images))
    from fractal4ad_nb.ifs import sample_bank
    from fractal4ad_nb.render import FractalsRecipe
    from fractal4ad_nb.data import write_dataset
    n_sys = min(64, a.images)                                         # IFS systems, spread over 8 classes
    recipe = FractalsRecipe(sample_bank(n_sys, seed=0), 8, a.images // 8, n_sys, seed=0, render=dict(size=a.img_size))
    w = c.run('fractals_to_disk', lambda: {k: v for k, v in write_dataset(recipe, work / 'fractals', progress=False).items() if k != 'out'})
    for arch in ('resnet18', 'wide_resnet50_2'):
        c.run(f'pretrain_{arch}_synthetic', lambda: step_synthetic(dev, arch, a))
        for source in ('disk', 'on_the_fly'):
            c.run(f'pretrain_{arch}_{source}', lambda: step_pretrain(dev, arch, source, work / 'fractals', recipe, work, a))
    c.run('ddp_launch', lambda: step_ddp(dev, work / 'fractals', work, a))
    from fractal4ad_nb.ad.data import materialise_textures, category_samples
    tex = materialise_textures(work / 'textures', 0, n_train=a.ad_images, n_test=a.ad_images, patch=a.ad_size, textures=('brick',), progress=False)
    samples = category_samples(tex / 'brick')
    for method in ('patchcore', 'padim'): c.run(method, lambda: step_anomalib(dev, method, samples, a))
    for method in ('cflow', 'fastflow', 'reverse_distillation', 'stfpm'):     # the paper's settings, one epoch (the 'smoke' scale)
        c.run(f'{method}_1epoch', lambda: step_anomalib(dev, method, samples, a, scale='smoke'))
    c.run('ad_forward', lambda: step_ad_forward(dev, a))
    c.run('ad_loader', lambda: step_ad_loader(a))
    s = c.steps
    get = lambda step, k: s.get(step, {}).get(k)
    rates = {'render-mandelbulb-torch': get('mandelbulb', 's_per_image'),
             'pretrain': get('pretrain_wide_resnet50_2_synthetic', 'images_per_s'),
             'pretrain-loader': (round(get('pretrain_resnet18_disk', 'images_per_s') / max(1, a.workers), 2)
                                 if get('pretrain_resnet18_disk', 'images_per_s') else None),
             'ad-forward': get('ad_forward', 'images_per_s'), 'ad-loader': get('ad_loader', 'images_per_s')}
    out = dict(info, finished=time.strftime('%Y-%m-%d %H:%M:%S'), seconds=round(time.perf_counter() - t_all, 1), ok=not c.failures,
               failures=c.failures, steps=s, rates={k: v for k, v in rates.items() if v is not None and full})   # smoke numbers are no rates
    summary = {k: (v.get('images_per_s') or v.get('s_per_image') or v.get('fit_s')) for k, v in s.items()}
    print('summary:', json.dumps(summary), flush=True)
    if full:                                                          # the paper profile's estimate with these rates
        from fractal4ad_nb.reproduce import plan_text
        out['estimate_paper'] = plan_text('paper', work / 'plan', device='cuda', rates=load_rates_from(out), imagenet=False)
        print(next(l for l in out['estimate_paper'].splitlines() if l.startswith('ESTIMATE')), flush=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(a.out) + '.tmp'); tmp.write_text(json.dumps(out, indent=2)); os.replace(tmp, a.out)
    if not a.work: shutil.rmtree(work, ignore_errors=True)
    print(f"{'OK' if out['ok'] else 'FAILED: ' + ', '.join(c.failures)} in {out['seconds']} s; numbers in {a.out}", flush=True)
    return 0 if out['ok'] else 1

if __name__ == '__main__': sys.exit(main())
