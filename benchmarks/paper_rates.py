"""CPU rates behind `reproduce.RATES['cpu']` (the time estimate printed before a run).

Measures on this machine, with all cores: WRN-50-2 and ResNet-18 training images/s at 224 px (fp32, batch 8, SGD step),
WRN-50-2 forward images/s at 256 px (fp32, batch 8, no grad), and the decode + resize rate of a 1024 px RGB PNG (the
size of MVTec AD images) in one process (anomalib's loaders with num_workers=0). Prints medians of `--repeats` timed
runs after one warm-up, and the load average. Rerun: .venv/bin/python benchmarks/paper_rates.py
"""
import argparse, os, statistics, time
import cv2, numpy as np, torch, timm

def timed(fn, repeats):
    fn(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--batch', type=int, default=8)
    a = ap.parse_args(); b = a.batch
    print(f"threads {torch.get_num_threads()}, load average {os.getloadavg()}")
    for arch in ('wide_resnet50_2', 'resnet18'):
        m = timm.create_model(arch, num_classes=200); opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(b, 3, 224, 224), torch.randint(0, 200, (b,))
        def step():
            opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
        print(f"pretrain {arch} 224 px fp32: {b / timed(step, a.repeats):.2f} images/s")
    m = timm.create_model('wide_resnet50_2', features_only=True, out_indices=(1, 2, 3)).eval(); x = torch.randn(b, 3, 256, 256)
    with torch.no_grad(): print(f"ad-forward wide_resnet50_2 256 px fp32: {b / timed(lambda: m(x), a.repeats):.2f} images/s")
    img = (np.random.default_rng(0).integers(0, 256, (1024, 1024, 3))).astype(np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 3)                                       # photo-like, compressible
    ok, buf = cv2.imencode('.png', img)
    def dec():
        for _ in range(10): cv2.resize(cv2.imdecode(buf, cv2.IMREAD_COLOR), (256, 256), interpolation=cv2.INTER_AREA)
    print(f"ad-loader 1024 px PNG decode + resize, one process: {10 / timed(dec, a.repeats):.1f} images/s")
    print(f"load average after: {os.getloadavg()}")

if __name__ == '__main__': main()
