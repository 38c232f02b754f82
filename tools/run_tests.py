"""Run nbdev_test and print a closing 'N passed, N failed' line.

First re-exports the library from nbs/ and fails if that changes fractal4ad_nb/ (notebooks are the source).
"""
import subprocess, sys, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
venv_bin = root / '.venv' / 'bin'

def main(argv):
    before = subprocess.run(['git', 'status', '--porcelain', 'fractal4ad_nb'], cwd=root, capture_output=True, text=True).stdout
    subprocess.run([venv_bin / 'nbdev_export'], cwd=root, check=True)
    after = subprocess.run(['git', 'status', '--porcelain', 'fractal4ad_nb'], cwd=root, capture_output=True, text=True).stdout
    if before != after:
        print('nbdev_export changed fractal4ad_nb/: the library is out of sync with nbs/. Commit both.\n' + after)
        print('0 passed, 1 failed')
        return 1
    if subprocess.run([venv_bin / 'python', root / 'tools' / 'make_readme.py', '--check'], cwd=root).returncode:
        print('0 passed, 1 failed')
        return 1
    nbs = sorted(p for p in (root / 'nbs').rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(root / 'nbs').parts))
    if '--path' in argv:
        nbs = [Path(argv[argv.index('--path') + 1]).resolve()]
    t0 = time.time()
    r = subprocess.run([venv_bin / 'nbdev_test', '--n_workers', '2', '--timing', *argv], cwd=root, capture_output=True, text=True)
    out = r.stdout + r.stderr
    print(out, end='')
    lines = out.splitlines()
    marker = [i for i, l in enumerate(lines) if l.startswith('nbdev Tests Failed On The Following Notebooks')]
    failed = [l.strip() for l in lines[marker[0] + 2:] if l.startswith('\t')] if marker else []
    if r.returncode != 0 and not failed: failed = ['nbdev_test']
    print(f'nbdev_test took {time.time() - t0:.0f} s over {len(nbs)} notebooks')
    print(f'{len(nbs) - len(failed)} passed, {len(failed)} failed')
    return 1 if (r.returncode or failed) else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
