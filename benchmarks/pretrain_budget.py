"""Choose the question stage's pre-training budget on a validation split, never on the test sets it reports (issue 15).

For each budget (epochs of the `cpu` profile's question pre-training: efficientnet_lite0 on the profile's
`fractal_config` data; the learning rate drops 10x at 30 % and 60 % of the epochs, the paper's 30 / 60 of 100,
`reproduce.question_milestones`), pre-train the backbone, then evaluate it beside random initialisation and ImageNet with the
question's methods (PatchCore, PaDiM; its image size and validation subset) on `fashion-mnist-val`: Fashion-MNIST
one-class categories whose test images are held out of Fashion-MNIST's *training* set (ad.data, "A validation
split"), so the official test set that the question stage reports is never read here. Prints, per budget, the
pre-training seconds and validation top-1 and the mean image AUROC over categories, seeds and methods, with 95 %
bootstrap intervals and the paired gain over random init; the budget with the highest mean is the pick.

Everything is cached under --out (pre-training runs and evaluation runs): rerunning resumes. Prints the command and the
machine's load (`uptime`) before and after; run it on a quiet machine (the pre-training seconds are part of the answer).

    .venv/bin/python benchmarks/pretrain_budget.py --epochs 6,24,60 --out /tmp/f4ad-budget
"""
import argparse, json, os, shlex, subprocess, sys, time
from dataclasses import replace
from pathlib import Path


def _uptime():
    try: return subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    except OSError: return 'uptime unavailable'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', default='6,24,60', help='comma list of pre-training budgets (epochs)')
    ap.add_argument('--out', default='/tmp/f4ad-budget', help='cache and results folder (resumed)')
    ap.add_argument('--categories', default='0_tshirt_top,1_trouser,2_pullover', help='fashion-mnist-val categories')
    ap.add_argument('--limit', type=int, default=100, help='images per folder of the validation split')
    ap.add_argument('--seeds', default='0,1', help='split seeds of the validation split')
    ap.add_argument('--processes', type=int, default=2, help='evaluation processes (each with cores / processes threads)')
    ap.add_argument('--boot', type=int, default=500, help='bootstrap replicates')
    a = ap.parse_args(argv)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    import pandas as pd
    from fractal4ad_nb.core import tame_malloc
    from fractal4ad_nb.reproduce import question_milestones, question_profile, parse_config_name, pretrained_backbone, training_curves
    from fractal4ad_nb.ad.engine import run_eval_processes, parse_seeds
    from fractal4ad_nb.ad.results import read_scores, bootstrap_auroc, compare_settings
    print('command:', shlex.join([sys.executable, *sys.argv]), flush=True)
    print('load before:', _uptime(), flush=True)
    tame_malloc()
    out = Path(a.out); cache = out / 'cache'
    base = question_profile('cpu'); q = base.question
    fc = parse_config_name(base.fractal_config, base)
    budgets, backbones = [], {'random': 'random', 'imagenet': 'imagenet'}
    for e in [int(x) for x in a.epochs.split(',')]:
        prof = replace(base, pretrain=replace(base.pretrain, epochs=e, milestones=question_milestones(e)))
        t0 = time.time()
        run = pretrained_backbone(fc['kind'], fc['classes'], fc['background'], prof, cache, progress=False)
        s = json.loads((run / 'summary.json').read_text())
        top1 = float(training_curves(run).val_top1.iloc[-1])
        budgets.append(dict(epochs=e, train_s=s['seconds'], images_per_s=s['train_images_per_s'], val_top1=top1, chance=1 / fc['classes']))
        backbones[f'fractal-{e}ep'] = str(run / 'backbone')
        print(f"budget {e} epochs: {s['seconds']:.0f} s of training ({s['train_images_per_s']:.0f} images/s), validation top-1 {top1:.3f} "
              f"(chance {1 / fc['classes']:.3f}); this call {time.time() - t0:.0f} s", flush=True)
    cfg = replace(q, out=str(out / 'eval'), dataset='fashion-mnist-val', limit=a.limit, categories=a.categories.split(','),
                  seeds=parse_seeds(a.seeds), overlays=0, progress=False, backbones=[{'spec': s, 'label': l} for l, s in backbones.items()])
    t0 = time.time()
    res = run_eval_processes(cfg, processes=a.processes)
    print(f"{len(res)} evaluation runs in {time.time() - t0:.0f} s", flush=True)
    rows = []
    for method, dm in res.groupby('method', sort=False):
        runs = {b: {(r['category'], int(r['seed'])): read_scores(cfg.out, r) for r in g.to_dict('records')} for b, g in dm.groupby('backbone')}
        point, reps = bootstrap_auroc(runs, n_boot=a.boot, seed=0)
        t = compare_settings(point, reps, [(b, 'random') for b in backbones if b.startswith('fractal')]).assign(method=method)
        rows.append(t)
    tab = pd.concat(rows, ignore_index=True)
    pd.set_option('display.width', 200)
    print(tab.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    mean = res.groupby('backbone').image_AUROC.mean()
    bud = pd.DataFrame(budgets).assign(mean_image_AUROC=[mean[f'fractal-{b["epochs"]}ep'] for b in budgets])
    print(bud.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"random {mean['random']:.3f}, imagenet {mean['imagenet']:.3f} (mean image AUROC over categories, seeds and methods)")
    best = bud.sort_values(['mean_image_AUROC', 'epochs'], ascending=[False, True]).iloc[0]
    print(f"pick: {int(best.epochs)} epochs (highest mean image AUROC on fashion-mnist-val, {best.mean_image_AUROC:.3f})")
    out.mkdir(parents=True, exist_ok=True)
    tab.to_csv(out / 'budget_methods.csv', index=False); bud.to_csv(out / 'budget.csv', index=False)
    print('load after:', _uptime(), flush=True)


if __name__ == '__main__':
    main()
