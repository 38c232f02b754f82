"""Inference speed of fitted Gaussian AD / PatchCore / MAE-LoRA models in the three deployment runtimes, CPU.

For each method a model is fitted once (random weights: speed does not depend on their values) on N synthetic
64-px images, saved, exported to TorchScript and ONNX, and then a batch of B images is scored repeatedly with
`torch` (the safetensors model), `torchscript` (model.ts) and `onnx` (model.onnx via onnxruntime). Printed: images per
second, median and range over --repeats timed batches (after --warmup untimed ones), and fit seconds.

    MALLOC_MMAP_THRESHOLD_=131072 nice -n 10 .venv/bin/python benchmarks/methods.py
    .venv/bin/python benchmarks/methods.py --methods patchcore --batch 32 --threads 2
"""
import argparse, json, os, statistics, sys, tempfile, time
from pathlib import Path

CASES = {   # method -> (backbone arch, model args, method entry)
    'gaussian_ad': ('resnet18', None, {'method': 'gaussian_ad'}),
    'patchcore': ('resnet18', None, {'method': 'patchcore', 'coreset': 0.1}),
    'patchcore_vit': ('vit_tiny_patch16_224', None, {'method': 'patchcore', 'coreset': 0.1}),
    'mae_lora': ('vit_tiny_patch16_224', None, {'method': 'mae_lora', 'epochs': 1}),
}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--methods', default=','.join(CASES))
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--train', type=int, default=64, help='training images for the fit')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args(argv)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    import numpy as np, torch
    from fractal4ad_nb.core import item_rng
    from fractal4ad_nb.core import tame_malloc
    from fractal4ad_nb.backbone import resolve_backbone, feature_network
    from fractal4ad_nb.ad.models.base import fit_detector, method_entry, save_model, read_model_json
    from fractal4ad_nb.ad.deploy import export_model, _runtime
    tame_malloc(); torch.set_num_threads(a.threads)
    S = a.size
    r = item_rng(0, 99)
    train = torch.from_numpy((r.random((a.train, 3, S, S)) * 255).astype(np.uint8))
    x = torch.from_numpy(r.random((a.batch, 3, S, S)).astype(np.float32))
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name in a.methods.split(','):
            arch, margs, entry = CASES[name]
            bb = resolve_backbone('random', arch, 0, margs)
            method, _, _, _, opts = method_entry(entry)
            t0 = time.perf_counter()
            model, _ = fit_detector(method, feature_network(bb, S), arch, train, opts, image_size=S, mean=bb.mean, std=bb.std)
            fit_s = time.perf_counter() - t0
            folder = save_model(model, Path(d) / name)
            ex = export_model(folder)
            meta = read_model_json(folder)
            for rt in ('torch', 'torchscript', 'onnx'):
                if rt != 'torch' and 'error' in ex.get(rt, {}):
                    rows.append(dict(method=name, runtime=rt, error=ex[rt]['error'])); continue
                run = _runtime(folder, rt, meta)
                for _ in range(a.warmup): run(x)
                ts = []
                for _ in range(a.repeats):
                    t = time.perf_counter(); run(x); ts.append(time.perf_counter() - t)
                ips = [a.batch / t for t in ts]
                rows.append(dict(method=name, arch=arch, runtime=rt, images_per_s=round(statistics.median(ips), 1),
                                 min=round(min(ips), 1), max=round(max(ips), 1), fit_s=round(fit_s, 2), size=S, batch=a.batch,
                                 threads=a.threads))
                print(json.dumps(rows[-1]), flush=True)
    print(f"\n| method | arch | runtime | images/s (median) | range | fit s |\n|---|---|---|---|---|---|")
    for r_ in rows:
        if 'error' in r_: print(f"| {r_['method']} | | {r_['runtime']} | error: {r_['error'][:60]} | | |")
        else: print(f"| {r_['method']} | {r_['arch']} | {r_['runtime']} | {r_['images_per_s']} | {r_['min']}–{r_['max']} | {r_['fit_s']} |")

if __name__ == '__main__':
    main()
