"""Training images/s of the toy pre-training profile on CPU, and whether on-the-fly generation keeps up.

Toy profile (fractal4ad_nb.pretrain): 10 classes x 100 Fractals images at 64 px (toy_recipe), ResNet-18, 56 px crops,
batch 32, the 'cpu' preset. Measured, each as the median [min-max] of --repeats runs:

  1. model only: SGD steps on a fixed random batch (no data loading): the compute ceiling;
  2. training from the dataset folder (PNG decode + crop in the main process, as the toy preset runs);
  3. training on the fly: images rendered by FractalsRecipe.render in --workers loader processes while training;
  4. render rate of the toy images and of paper-setting 512 px images (one process), and PNG decode rate of 512 px
     images (one process): what feeds a GPU at paper scale.

    .venv/bin/python benchmarks/pretrain.py                   # ~10 minutes on 2 shared cores
    .venv/bin/python benchmarks/pretrain.py --repeats 1 --threads 2
"""
import argparse, os, statistics, tempfile, time, warnings
from pathlib import Path
import numpy as np
import torch


def med(xs):
    return f"{statistics.median(xs):8.1f}  [{min(xs):.1f}-{max(xs):.1f}]"


class OnTheFly(torch.utils.data.Dataset):
    "Render image i of a recipe when it is asked for (benchmark-local adapter)."
    def __init__(self, recipe): self.recipe, self.num_classes = recipe, recipe.C
    def __len__(self): return len(self.recipe)
    def label(self, i): return self.recipe.label(i)
    def __getitem__(self, i): return self.recipe.render(i), self.recipe.label(i)


def model_only(steps=12, batch=32, crop=56):
    from fractal4ad_nb.backbone import create_model
    m = create_model('resnet18', 10, official_init=True)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    x, y = torch.randn(batch, 3, crop, crop), torch.randint(0, 10, (batch,))
    for i in range(steps + 2):
        if i == 2: t = time.perf_counter()
        opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
    return steps * batch / (time.perf_counter() - t)


def train_rate(data, out, epochs, workers):
    from fractal4ad_nb.pretrain import pretrain, make_config
    r = pretrain(data, out, make_config('cpu', epochs=epochs, num_workers=workers), progress=False, export=False)
    return r['train_images_per_s'], r['val_top1']


def render_rate(recipe, n):
    recipe.render(0)   # numba cache load
    t = time.perf_counter()
    for i in range(n): recipe.render(i)
    return n / (time.perf_counter() - t)


def decode_rate(folder, n):
    from fractal4ad_nb.core import read_image
    files = sorted(Path(folder).rglob('*.png'))[:n]
    t = time.perf_counter()
    for f in files: read_image(f)
    return len(files) / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--epochs', type=int, default=1, help='epochs per training measurement')
    ap.add_argument('--threads', type=int, default=1, help='torch threads (1 is fastest on a shared 2-core machine)')
    ap.add_argument('--workers', type=int, default=1, help='loader processes for the on-the-fly run')
    args = ap.parse_args()
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    torch.set_num_threads(args.threads)
    warnings.filterwarnings('ignore')
    from fractal4ad_nb.fixtures import toy_recipe
    from fractal4ad_nb.data import write_dataset
    from fractal4ad_nb.ifs import sample_bank
    from fractal4ad_nb.render import FractalsRecipe, FractalConfig
    import logging; logging.getLogger('lightning.pytorch').setLevel(logging.ERROR)
    print(f"toy profile, torch threads={args.threads}, cores={os.cpu_count()}, median [min-max] of {args.repeats} runs (images/s)")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        rec = toy_recipe()
        write_dataset(rec, d / 'toy', workers=os.cpu_count(), progress=False)
        big = FractalsRecipe(sample_bank(10, 0), 10, 4, 10, 0, FractalConfig(size=512))
        write_dataset(big, d / 'big', workers=os.cpu_count(), progress=False)
        res = {k: [] for k in ('model', 'folder', 'fly', 'render64', 'render512', 'decode512')}
        acc = {'folder': [], 'fly': []}
        for r in range(args.repeats):
            res['model'].append(model_only())
            ips, a = train_rate(d / 'toy', d / f'run-folder-{r}', args.epochs, 0); res['folder'].append(ips); acc['folder'].append(a)
            ips, a = train_rate(OnTheFly(rec), d / f'run-fly-{r}', args.epochs, args.workers); res['fly'].append(ips); acc['fly'].append(a)
            res['render64'].append(render_rate(rec, 200))
            res['render512'].append(render_rate(big, 20))
            res['decode512'].append(decode_rate(d / 'big', 40))
        print(f"{'ResNet-18 56px SGD steps, no data':45s}{med(res['model'])}")
        print(f"{'training from the folder (PNG, 0 workers)':45s}{med(res['folder'])}   val_top1 after {args.epochs} epoch(s): {acc['folder']}")
        print(f"{f'training on the fly ({args.workers} render worker)':45s}{med(res['fly'])}   val_top1: {acc['fly']}")
        print(f"{'render toy image (64 px, 20k points), 1 proc':45s}{med(res['render64'])}")
        print(f"{'render paper image (512 px, 100k pts), 1 proc':45s}{med(res['render512'])}")
        print(f"{'decode 512 px PNG (read_image), 1 proc':45s}{med(res['decode512'])}")


if __name__ == '__main__':
    main()
