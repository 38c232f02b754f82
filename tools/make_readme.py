"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs Quarto, which cannot be installed offline).

Markdown cells are copied; code cells become ```python blocks; cells starting with `#| hide` are dropped.
`--check` exits 1 if README.md is out of date.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render() -> str:
    nb = json.loads((root / 'nbs' / 'index.ipynb').read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if c['cell_type'] == 'code':
            if src.startswith('#| hide'): continue
            src = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
            parts.append(f"```python\n{src}\n```")
        else:
            lines = src.splitlines()
            if lines and lines[0].startswith('# ') and len(parts) == 0:   # title + nbdev '> description'
                parts.append(lines[0]); src = '\n'.join(lines[1:]).strip('\n')
            parts.append(src)
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n' + '\n\n'.join(p for p in parts if p) + '\n'

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        ok = (root / 'README.md').exists() and (root / 'README.md').read_text() == text
        if not ok: print('README.md is out of date: run .venv/bin/python tools/make_readme.py')
        sys.exit(0 if ok else 1)
    (root / 'README.md').write_text(text)
