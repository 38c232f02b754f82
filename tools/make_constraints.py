"""Write constraints.txt: the exact version, in this .venv, of every package that the project's requirements pull in.

settings.ini declares compatible *ranges* (`requirements`, `dev_requirements`), so that the package installs beside a
user's own torch/CUDA build. constraints.txt is the one *tested* set: tools/setup_env.sh (and so CI) installs with
`pip install -c constraints.txt ...`. It lists the dependency closure of `fractal4ad_nb[dev]` as installed here,
markers evaluated on this machine (Linux, Python 3.11).

After changing a requirement: install the version you want into .venv (tools/setup_env.sh does it for a new
package), run `.venv/bin/python tools/make_constraints.py`, run ./test.sh, and commit settings.ini and constraints.txt
together. `--check` exits 1 if constraints.txt differs from what this .venv would give.
"""
import configparser, sys
from importlib.metadata import distribution, PackageNotFoundError
from pathlib import Path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

root = Path(__file__).resolve().parent.parent
HEADER = """\
# The tested set: exact versions of every package that fractal4ad_nb[dev] installs (Linux, Python 3.11).
# Written by tools/make_constraints.py from .venv; do not edit by hand. tools/setup_env.sh and CI install with
# `pip install -c constraints.txt`. The package metadata (settings.ini) declares compatible ranges instead.
"""

def settings_requirements(dev: bool = True) -> list[str]:
    "The requirement strings of settings.ini (`requirements`, plus `dev_requirements` when `dev`)."
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(root / 'settings.ini', encoding='utf-8')
    keys = ['requirements'] + (['dev_requirements'] if dev else [])
    return [r for k in keys for r in cfg['DEFAULT'].get(k, '').split()]

def closure(requirements) -> dict:
    """Installed distributions reached from `requirements` (PEP 508 strings) through their metadata.

    Returns {canonical name: Distribution}. Markers are evaluated for this interpreter, with the extras requested
    on the way (none at the top: `extra == "dev"` requirements are left out). Raises LookupError naming a requirement
    that is missing or whose installed version is out of range."""
    todo = [(r, None) for r in map(Requirement, requirements) if r.marker is None or r.marker.evaluate({'extra': ''})]
    seen, done = {}, set()
    while todo:
        req, parent = todo.pop()
        name = canonicalize_name(req.name)
        try: dist = seen.get(name) or distribution(req.name)
        except PackageNotFoundError:
            raise LookupError(f"{req} (needed by {parent or 'the project'}) is not installed: run tools/setup_env.sh") from None
        if not req.specifier.contains(dist.version, prereleases=True):
            raise LookupError(f"{req} (needed by {parent or 'the project'}): installed {dist.version} is out of range")
        seen[name] = dist
        for extra in [''] + sorted(req.extras):
            if (name, extra) in done: continue
            done.add((name, extra))
            for r in dist.requires or []:
                sub = Requirement(r)
                if sub.marker is None or sub.marker.evaluate({'extra': extra}):
                    todo.append((sub, f"{dist.metadata['Name']}{'[' + extra + ']' if extra else ''}"))
    return seen

def render(dists: dict) -> str:
    "constraints.txt text: one `Name==version` line per distribution, sorted by canonical name; the project left out."
    lines = [f"{d.metadata['Name']}=={d.version}" for n, d in sorted(dists.items()) if n != canonicalize_name('fractal4ad_nb')]
    return HEADER + '\n'.join(lines) + '\n'

def main(argv) -> int:
    try: text = render(closure(settings_requirements()))
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr); return 2
    path = root / 'constraints.txt'
    if '--check' in argv:
        if path.exists() and path.read_text() == text: return 0
        print('constraints.txt is not the tested set installed in .venv: run .venv/bin/python tools/make_constraints.py')
        return 1
    path.write_text(text)
    print(f"wrote {path} ({text.count(chr(10)) - HEADER.count(chr(10))} packages)")
    return 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
