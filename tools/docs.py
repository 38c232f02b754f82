"""The documentation site without Quarto: the notebooks processed the nbdev way, rendered to HTML by nbconvert, with a
sidebar, client-side search, an "On this page" list, source links, parameter tables, a link checker and
headless-Chromium checks.

Project tooling, not part of the installed package: run it from a checkout as
    .venv/bin/python tools/docs.py --out _site_offline --check
Its documentation and tests are nbs/90_docs.ipynb."""


from __future__ import annotations
import ast, html, io, json, re, shutil, subprocess, sys, tempfile, time, tokenize
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from fastcore.script import store_true
from fractal4ad_nb.core import InputError, cli, run_cli, atomic_write_bytes, atomic_write_text


SECTIONS = {'home': 'Home', 'library': 'Library', 'paper': 'Paper: tables and figures', 'tools': 'Project tools'}
_DEFAULT_EXP = re.compile(r'^\s*#\|\s*default_exp\s+(\S+)', re.M)

@dataclass
class Page:
    "One notebook of the site."
    nb: Path                 # notebook in nbs/
    src: Path                # notebook rendered: the executed copy when there is one, else `nb`
    name: str                # output file name, e.g. 'core.html'
    section: str             # a key of SECTIONS
    executed: bool = False
    title: str = ''
    description: str = ''
    module: str | None = None  # the module its `#| default_exp` names, e.g. 'ad.engine'

def page_name(nb_path) -> str:
    "The HTML file nbdev gives a notebook: number prefix dropped, lower case."
    from nbdev.doclinks import _nbpath2html
    return _nbpath2html(Path(nb_path)).name

def executed_dir(executed) -> Path | None:
    "The folder of executed notebooks: `fractal4ad-reproduce --out DIR` writes them to DIR/notebooks."
    if executed is None: return None
    p = Path(executed)
    if (p / 'notebooks').is_dir(): return p / 'notebooks'
    if p.is_dir(): return p
    raise InputError(f"executed notebooks folder {p} does not exist: pass the folder given to "
                     "`fractal4ad-reproduce --out` (or its notebooks/ subfolder), or leave the option out")

def find_pages(nbs, executed=None) -> list[Page]:
    "Home, library chapters, then paper notebooks, each in file order; executed copies replace paper notebooks."
    nbs, ex = Path(nbs), executed_dir(executed)
    if not nbs.is_dir() or not any(nbs.glob('*.ipynb')):
        raise InputError(f"{nbs} holds no notebooks: pass --nbs with the project's nbs/ folder")
    pages, names = [], {}
    for p in sorted(nbs.glob('*.ipynb')):
        if p.name.startswith(('.', '_')): continue
        try: cells = json.loads(p.read_text(encoding='utf-8'))['cells']
        except (ValueError, KeyError) as e: raise InputError(f"{p} is not a readable notebook ({e}); fix or remove it") from None
        code = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
        m = _DEFAULT_EXP.search(code)
        section = ('home' if p.stem == 'index' else 'library' if m
                   else 'tools' if p.name.startswith('9') else 'paper')   # 9x notebooks test project tooling (tools/)
        name = page_name(p)
        if name in names: raise InputError(f"{p.name} and {names[name]} would both become {name}: rename one")
        names[name] = p.name
        src = ex / p.name if section == 'paper' and ex is not None and (ex / p.name).exists() else p
        pages.append(Page(p, src, name, section, executed=src != p, module=m.group(1) if m else None))
    order = list(SECTIONS)
    return sorted(pages, key=lambda pg: (order.index(pg.section), pg.nb.name))

REPORT_PAGE, REPORT_DIR = 'results.html', 'results'   # the main job's report (its README.md) and the files it links to

def report_page(executed) -> Page | None:
    "The main job's report, `README.md` of the folder given to `fractal4ad-reproduce --out`, as a home page (None: no report)."
    ex = executed_dir(executed)
    if ex is None: return None
    md = (ex.parent if ex.name == 'notebooks' else ex) / 'README.md'
    return Page(md, md, REPORT_PAGE, 'home', executed=True) if md.is_file() else None

_REPORT_LINK = re.compile(r'(\]\()([^)\s]+)(\))')

def report_notebook(md_path, names: dict, out, dest) -> Path:
    "Write the report as a one-cell notebook to `dest`: links to executed notebooks go to their pages; other files of its folder that it links to are copied to `out/results/` and linked there."
    root = Path(md_path).parent.resolve()
    def fix(m):
        url = unquote(m.group(2))
        if urlsplit(url).scheme or url.startswith(('#', '/')): return m.group(0)
        target = (root / url).resolve()
        if not target.is_relative_to(root) or not target.is_file(): return m.group(0)   # left as written: the link check reports it
        if target.suffix == '.ipynb' and target.name in names: return m.group(1) + names[target.name] + m.group(3)
        rel = target.relative_to(root)
        dest = Path(out) / REPORT_DIR / rel
        dest.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(target, dest)
        return m.group(1) + f"{REPORT_DIR}/{rel.as_posix()}" + m.group(3)
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(_REPORT_LINK.sub(fix, Path(md_path).read_text(encoding='utf-8')))]
    nbformat.write(nb, dest)
    return Path(dest)

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

@dataclass
class Repo:
    "Where the sources live: a checkout on disk and its repository on the web."
    root: Path               # the checkout (holds settings.ini)
    url: str                 # web address of the repository, e.g. https://github.com/fractal4ad/fractal4ad_nb
    branch: str = 'main'
    lib_path: str = ''       # the package folder, relative to root
    nbs_path: str = 'nbs'

    def blob(self, path: str, line: int | None = None) -> str:
        "Web address of a file of the repository (and a line of it)."
        return f"{self.url}/blob/{self.branch}/{path}" + (f"#L{line}" if line else '')

    def module_path(self, module: str) -> str:
        "Repository path of an exported module: 'ad.engine' -> 'fractal4ad_nb/ad/engine.py'."
        return f"{self.lib_path}/{module.replace('.', '/')}.py"

def repo_info(root=None) -> Repo:
    "The repository of a checkout, from its settings.ini: `git_url`, else https://github.com/`user`/`lib_name`."
    import configparser
    root = Path(root) if root is not None else Path(__file__).resolve().parent.parent
    ini = root / 'settings.ini'
    if not ini.is_file(): raise InputError(f"no settings.ini in {root}: pass the project's checkout folder")
    cp = configparser.ConfigParser(interpolation=None); cp.read(ini, encoding='utf-8'); c = cp['DEFAULT']
    if not c.get('git_url') and not (c.get('user') and c.get('lib_name')):
        raise InputError(f"{ini} names no repository: set git_url (or user and lib_name)")
    url = (c.get('git_url') or f"https://github.com/{c['user']}/{c['lib_name']}").rstrip('/').removesuffix('.git')
    return Repo(root, url, c.get('branch', 'main'), c.get('lib_path', c.get('lib_name', '')), c.get('nbs_path', 'nbs'))

def module_lines(path) -> dict:
    "Line of each top-level function or class (and of each class's methods, 'Class.method') in a Python file."
    from nbdev.doclinks import patch_name
    try: tree = ast.parse(Path(path).read_text(encoding='utf-8'))
    except (OSError, SyntaxError, ValueError): return {}
    out = {}
    for node in tree.body:
        if not isinstance(node, _DEFS): continue
        nm = patch_name(node)
        nm = nm[0] if isinstance(nm, (tuple, list)) else nm
        out.setdefault(nm, min([node.lineno, *(d.lineno for d in node.decorator_list)]))
        if isinstance(node, ast.ClassDef):
            for b in node.body:
                if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.setdefault(f"{node.name}.{b.name}", min([b.lineno, *(d.lineno for d in b.decorator_list)]))
    return out


def _comments(src: str) -> dict:
    "Line number -> text of the comment on that line."
    out = {}
    try:
        for t in tokenize.generate_tokens(io.StringIO(src).readline):
            if t.type == tokenize.COMMENT: out[t.start[0]] = t.string.lstrip('#').strip()
    except (tokenize.TokenError, IndentationError, SyntaxError): pass
    return out

def _params(fn, comments: dict, drop_first: bool) -> list[dict]:
    "Parameters of a function node: name, annotation, default and the comment on its line."
    a = fn.args
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    items = [(x, d, '') for x, d in zip(pos, defaults)]
    if a.vararg: items.append((a.vararg, None, '*'))
    elif a.kwonlyargs: items.append((None, None, '*'))
    items += [(x, d, '') for x, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg: items.append((a.kwarg, None, '**'))
    if drop_first and items and items[0][0] is not None and items[0][0].arg in ('self', 'cls'): items = items[1:]
    body_line = fn.body[0].lineno if fn.body else fn.end_lineno
    ends = [x.end_lineno for x, _, _ in items if x is not None]
    res = []
    for x, d, star in items:
        if x is None: res.append(dict(name='*', anno='', default=None, comment='')); continue
        line = x.end_lineno if d is None else d.end_lineno
        c = comments.get(line, '') if line < body_line and ends.count(x.end_lineno) == 1 else ''
        res.append(dict(name=star + x.arg, anno=ast.unparse(x.annotation) if x.annotation else '',
                        default=ast.unparse(d) if d is not None else None, comment=c))
    return res

def _fmt_params(ps: list[dict]) -> str:
    return ', '.join(p['name'] + (f": {p['anno']}" if p['anno'] else '') +
                     ('' if p['default'] is None else (' = ' if p['anno'] else '=') + p['default']) for p in ps)

def _is_dataclass(node) -> bool:
    return any((ast.unparse(d.func) if isinstance(d, ast.Call) else ast.unparse(d)).split('.')[-1] == 'dataclass'
               for d in node.decorator_list)

def _entry(node, name: str, comments: dict, level: int, method: bool = False) -> dict:
    if isinstance(node, ast.ClassDef):
        init = next((b for b in node.body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.name == '__init__'), None)
        if init is not None: ps = _params(init, comments, True)
        elif _is_dataclass(node):
            ps = [dict(name=b.target.id, anno=ast.unparse(b.annotation), default=ast.unparse(b.value) if b.value else None,
                       comment=comments.get(b.end_lineno, '')) for b in node.body
                  if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name)]
        else: ps = []
        bases = ', '.join(ast.unparse(b) for b in node.bases)
        sig = f"class {name}" + (f"({bases})" if bases else '') + (f"\n{name}({_fmt_params(ps)})" if ps or init is not None else '')
        doc = ast.get_docstring(node) or (ast.get_docstring(init) if init is not None else None) or ''
    else:
        ps = _params(node, comments, method or '.' in name)
        ret = f" -> {ast.unparse(node.returns)}" if node.returns else ''
        sig = ('async ' if isinstance(node, ast.AsyncFunctionDef) else '') + f"{name}({_fmt_params(ps)}){ret}"
        doc = ast.get_docstring(node) or ''
        if node.returns is not None:
            line, a = node.returns.end_lineno, node.args
            shared = any(x.end_lineno == line for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x is not None)
            body_line = node.body[0].lineno if node.body else node.end_lineno
            returns = dict(anno=ast.unparse(node.returns), comment='' if shared or line >= body_line else comments.get(line, ''))
            return dict(name=name, level=level, signature=sig, doc=doc, params=ps, returns=returns)
    return dict(name=name, level=level, signature=sig, doc=doc, params=ps, returns=None)

def doc_entries(src: str) -> list[dict]:
    "Documentation entries (name, signature, docstring, parameters) for the public names defined in `src`."
    from nbdev.doclinks import patch_name
    try: tree = ast.parse(src)
    except SyntaxError: return []
    comments, out = _comments(src), []
    for node in tree.body:
        if not isinstance(node, _DEFS): continue
        nm = patch_name(node)
        nm = nm[0] if isinstance(nm, (tuple, list)) else nm
        if nm.split('.')[-1].startswith('_') and not nm.split('.')[-1].startswith('__'): continue
        out.append(_entry(node, nm, comments, 3))
        if isinstance(node, ast.ClassDef):
            out += [_entry(b, f"{node.name}.{b.name}", comments, 4, method=True) for b in node.body
                    if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) and not b.name.startswith('_')]
    return out

def _inline_code(s: str) -> str:
    "Plain text with `code` spans as HTML (escaped)."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(s))

def params_table(e: dict) -> str:
    "nbdev's parameter table of an entry as HTML: name, type, default and the docments comment of each parameter."
    ps = [p for p in e['params'] if p['name'] != '*']
    ret = e.get('returns')
    if not ps and not (ret and (ret['anno'] or ret['comment'])): return ''
    c = lambda s: f'<code>{html.escape(s)}</code>' if s else ''
    rows = [f"<tr><td><strong>{html.escape(p['name'])}</strong></td><td>{c(p['anno'])}</td>"
            f"<td>{'' if p['default'] is None else c(p['default'])}</td><td>{_inline_code(p['comment'])}</td></tr>" for p in ps]
    if ret: rows.append(f"<tr class=\"f4ad-returns\"><td><strong>Returns</strong></td><td>{c(ret['anno'])}</td><td></td>"
                        f"<td>{_inline_code(ret['comment'])}</td></tr>")
    return ('<table class="f4ad-params"><thead><tr><th></th><th>Type</th><th>Default</th><th>Details</th></tr></thead>'
            '<tbody>' + ''.join(rows) + '</tbody></table>')

def entry_markdown(e: dict, anchor: bool = True, source: str | None = None) -> str:
    "Markdown (with HTML heading, signature, parameter table and a link to its `source`) for one documentation entry."
    h = f"h{e['level']}"
    idattr = f' id="{html.escape(e["name"].lower())}"' if anchor else ''
    src = f'<a class="f4ad-srclink" href="{html.escape(source)}" title="source in the repository">source</a>' if source else ''
    parts = [f'<{h}{idattr} class="f4ad-doc"><code>{html.escape(e["name"])}</code>{src}</{h}>',
             f'<pre class="f4ad-sig"><code>{html.escape(e["signature"])}</code></pre>']
    if e['doc']: parts.append(e['doc'])
    if t := params_table(e): parts.append(t)
    return '\n\n'.join(parts)

_TITLE, _DESC = re.compile(r'^#\s+(\S.*?)\s*$', re.M), re.compile(r'^>\s+(\S.*?)\s*$', re.M)
_QUARTO_LINE = re.compile(r'^\s*#\|\s*[\w-]+\s*:.*$\n?', re.M)
_NB_LINK = re.compile(r'(\]\(|href=")(?![a-z]+:)([^)"\s#]*?)([^/)"\s#]+\.ipynb)(#[^)"\s]*)?(?=[)"])')

def _false(v) -> bool: return bool(v) and str(v[0]).lower() == 'false'

def _mk(src: str, kind: str = 'markdown'):
    from execnb.nbio import mk_cell
    c = mk_cell(src, kind); c.directives_ = {}
    return c

def _title_proc(nb):
    "Take title and description from the first markdown cell (nbdev's formatted-markdown frontmatter); keep its other prose."
    nb.title_ = nb.description_ = ''
    for c in nb.cells:
        if c.cell_type != 'markdown': continue
        m = _TITLE.search(c.source)
        if not m: return
        nb.title_, s = m.group(1), c.source[:m.start()] + c.source[m.end():]
        d = _DESC.search(s)
        if d: nb.description_, s = d.group(1), s[:d.start()] + s[d.end():]
        if s.strip(): c.source = s.strip()
        else: del c['source']
        return

def _export_proc(nb):
    "Internal exports and `default_exp` go; each exported cell is preceded by doc entries and folded (`export`) or shown (`exports`)."
    cells, seen, link = [], set(), getattr(nb, 'source_link_', None) or (lambda name: None)
    for c in nb.cells:
        d = getattr(c, 'directives_', {}) if c.cell_type == 'code' else {}
        if d.keys() & {'exporti', 'default_exp'}: continue
        if d.keys() & {'export', 'exports'}:
            for e in doc_entries(c.source):
                cells.append(_mk(entry_markdown(e, anchor=e['name'].lower() not in seen, source=link(e['name']))))
                seen.add(e['name'].lower())
            if 'exports' not in d: c.metadata['f4ad_fold'] = True
        cells.append(c)
    nb.cells = cells

def _quarto_proc(cell):
    "Apply `#| include: false`, `#| echo: false`, `#| output: false`; drop the remaining `#| key: value` lines."
    if cell.cell_type != 'code': return
    d = getattr(cell, 'directives_', {})
    if _false(d.get('include:')): del cell['source']; return
    if _false(d.get('echo:')): cell.metadata.setdefault('transient', {})['remove_source'] = True
    if _false(d.get('output:')): cell['outputs'] = []
    cell.source = _QUARTO_LINE.sub('', cell.source).strip('\n')

def _nb_links(md: str, names: dict) -> str:
    "Rewrite links to notebooks of the site (`01_ifs.ipynb#x`, `../nbs/01_ifs.ipynb`) into links to their pages."
    def f(m):
        pre, _, fname, frag = m.groups()
        return pre + names[fname] + (frag or '') if fname in names else m.group(0)
    return _NB_LINK.sub(f, md)

def process_notebook(path, names: dict | None = None, source_link=None):
    "Read a notebook and process it the nbdev way for the offline site (`source_link(name)`: web address of a documented name's source, or None); returns execnb's notebook object."
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import populate_language, strip_ansi, hide_line, filter_stream_, rm_header_dash, hide_, clean_magics
    try: nb = read_nb(path)
    except Exception as e: raise InputError(f"cannot read notebook {path} ({type(e).__name__}: {e}); fix or remove it") from None
    nb.source_link_ = source_link
    procs = [populate_language, _title_proc, strip_ansi, hide_line, filter_stream_, rm_header_dash, hide_,
             _export_proc, _quarto_proc, clean_magics]
    NBProcessor(nb=nb, procs=[_as_proc(p) for p in procs]).process()
    for c in nb.cells:
        if c.cell_type == 'markdown': c.source = _nb_links(c.source, names or {})
    nb.cells = [c for c in nb.cells if c.cell_type != 'code' or c.source.strip() or c.get('outputs')]
    return nb

def _as_proc(f):
    "Wrap our whole-notebook functions as nbdev processors (which get `nb` at construction, `begin` once)."
    if f not in (_title_proc, _export_proc): return f
    class _P:
        def __init__(self, nb): self.nb = nb
        def begin(self): f(self.nb)
        def __call__(self, cell): pass
    _P.__name__ = f.__name__.strip('_') + 'r'
    return _P

_MD_LINK = re.compile(r'\[(`[^`]+`)\]\(([^)\s]+)\)')

def own_site_url() -> str:
    "The published site's base URL, from the symbol index nbdev_export wrote."
    from fractal4ad_nb._modidx import d
    s = d['settings']
    return s['doc_host'].rstrip('/') + '/' + s['doc_baseurl'].strip('/') + '/'

def make_linkify(anchors: set, base: str | None = None, lookup=None):
    "A function that links backticked names in markdown; `anchors` holds 'page.html#id' targets of the offline site."
    from nbdev.doclinks import NbdevLookup
    nl, base = lookup or NbdevLookup(), base or own_site_url()
    def fix(m):
        code, url = m.groups()
        if not url.startswith(base): return m.group(0)
        rel = url[len(base):]
        return f'[{code}]({rel})' if rel in anchors else code
    return lambda md: _MD_LINK.sub(fix, nl.linkify(md)) if md else md

PAGE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block notebook_css %}<link rel="stylesheet" href="lab.css">
<link rel="stylesheet" href="site.css">{% endblock notebook_css %}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline"><div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
</div></div>
{%- endblock input %}
{%- block body_header -%}
<body class="jp-Notebook f4ad" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<nav class="f4ad-nav" aria-label="pages">{{ resources.f4ad.nav }}</nav>
<main class="f4ad-main">
<header class="f4ad-header"><h1 class="f4ad-title">{{ resources.f4ad.title_html }}</h1>
{%- if resources.f4ad.description %}<p class="f4ad-description">{{ resources.f4ad.description_html }}</p>{% endif %}
{{ resources.f4ad.source }}{{ resources.f4ad.note }}</header>
<!--f4ad-toc-->
{%- endblock body_header -%}
{% block codecell %}
{%- if cell.metadata.get('f4ad_fold') -%}
<details class="f4ad-src"><summary>Exported source</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{% endblock codecell %}
{% block body_footer %}
<footer class="f4ad-footer">{{ resources.f4ad.prevnext }}</footer>
</main>
<script src="search-index.js"></script>
<script src="search.js"></script>
</body>
{% endblock body_footer %}
"""

SITE_CSS = """
body.f4ad { margin: 0; padding: 0; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
.jp-Collapser { display: none; }
/* math is MathML written at build time (tex_to_mathml): the browser lays it out, no script, no network */
math { font-size: 1.05em; }
math[display="block"] { margin: .6em 0; overflow-x: auto; overflow-y: hidden; }
code.f4ad-tex { color: #8a1f11; }
.cm-editor.cm-s-jupyter .highlight pre { margin: 0; padding: 5px 6px; font: inherit; color: inherit; }
.jp-RenderedMarkdown pre { margin-bottom: .9em; }
.jp-OutputArea-output pre, .jp-RenderedText pre { line-height: inherit; font-family: inherit; }
/* long code lines wrap instead of running off the page; wide tables and images scroll or shrink within the column */
.f4ad-main pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.jp-OutputArea-output { overflow-x: auto; }
.f4ad-main img { max-width: 100%; height: auto; }
.jp-RenderedMarkdown code { overflow-wrap: anywhere; }
a.anchor-link { visibility: hidden; margin-left: 4px; text-decoration: none; }
h1:hover > a.anchor-link, h2:hover > a.anchor-link, h3:hover > a.anchor-link, h4:hover > a.anchor-link { visibility: visible; }
.f4ad-nav { position: fixed; top: 0; bottom: 0; left: 0; width: 250px; overflow-y: auto; box-sizing: border-box;
  padding: 18px 14px; background: #f6f7f9; border-right: 1px solid #dde1e6; font: 14px/1.45 system-ui, sans-serif; }
.f4ad-nav .f4ad-brand { display: block; font-weight: 700; font-size: 16px; color: #1a1a1a; text-decoration: none; margin-bottom: 12px; }
.f4ad-nav h2 { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #6a737d; margin: 16px 0 4px; }
.f4ad-nav ul { list-style: none; margin: 0; padding: 0; }
.f4ad-nav li a { display: block; padding: 3px 8px; border-radius: 4px; color: #24292f; text-decoration: none; }
.f4ad-nav li a:hover { background: #e8ebef; }
.f4ad-nav li a.current { background: #dbe7f7; color: #0b4f9c; font-weight: 600; }
.f4ad-nav .f4ad-repo { display: inline-block; font-size: 13px; color: #0b4f9c; margin: -6px 0 8px; }
.f4ad-search input { width: 100%; box-sizing: border-box; padding: 5px 8px; border: 1px solid #c7cdd4; border-radius: 4px;
  font: 14px system-ui, sans-serif; background: #fff; }
.f4ad-hits { position: fixed; left: 258px; top: 10px; width: min(620px, calc(100vw - 280px)); max-height: 80vh; overflow-y: auto;
  margin: 0; padding: 6px 0; list-style: none; background: #fff; border: 1px solid #c7cdd4; border-radius: 6px;
  box-shadow: 0 6px 24px rgba(0,0,0,.18); z-index: 10; }
.f4ad-hits a { display: block; padding: 6px 12px; color: #24292f; text-decoration: none; }
.f4ad-hits a:hover, .f4ad-hits a.f4ad-sel { background: #eef3fa; }
.f4ad-hit-title { font-weight: 600; margin-right: 8px; }
.f4ad-hit-page { color: #6a737d; font-size: 12px; }
.f4ad-hit-text { display: block; color: #4a5560; font-size: 13px; }
.f4ad-nohit { padding: 6px 12px; color: #6a737d; }
.f4ad-main { margin-left: 250px; padding: 8px 36px 40px; max-width: 1040px; min-width: 0; }
.f4ad-main.f4ad-has-toc { margin-right: 240px; }
.f4ad-toc { position: fixed; top: 0; right: 0; bottom: 0; width: 240px; overflow-y: auto; box-sizing: border-box;
  padding: 22px 16px; font: 13px/1.4 system-ui, sans-serif; border-left: 1px solid #e3e6ea; background: #fff; }
.f4ad-toc h2 { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #6a737d; margin: 0 0 6px; }
.f4ad-toc ul { list-style: none; margin: 0; padding: 0; }
.f4ad-toc li a { display: block; padding: 2px 0; color: #3b4450; text-decoration: none; overflow-wrap: anywhere; }
.f4ad-toc li a:hover { color: #0b4f9c; }
.f4ad-toc li.f4ad-toc-3 a { padding-left: 12px; font-size: 12.5px; }
.f4ad-source { font: 13px/1.4 system-ui, sans-serif; color: #6a737d; margin: 4px 0; }
.f4ad-source a { color: #0b4f9c; }
a.f4ad-srclink { float: right; font: 400 12px system-ui, sans-serif; color: #0b4f9c; margin-top: 4px; }
table.f4ad-params { border-collapse: collapse; margin: 8px 0 4px; font-size: 13px; }
table.f4ad-params th, table.f4ad-params td { border-bottom: 1px solid #e3e6ea; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
table.f4ad-params th { color: #6a737d; font-weight: 600; }
table.f4ad-params td code { white-space: pre-wrap; overflow-wrap: break-word; }
.f4ad-header { border-bottom: 1px solid #e3e6ea; margin: 0 0 12px; padding: 12px 0 10px; }
.f4ad-title { font: 700 30px/1.2 system-ui, sans-serif; margin: 8px 0; }
.f4ad-description { font: 17px/1.45 system-ui, sans-serif; color: #4a5560; margin: 6px 0; }
.f4ad-note { font: 13px/1.4 system-ui, sans-serif; padding: 6px 10px; border-radius: 4px; margin: 8px 0 0; }
.f4ad-note.executed { background: #e8f5e9; border-left: 4px solid #2e7d32; }
.f4ad-note.not-executed { background: #fff8e1; border-left: 4px solid #f9a825; }
h3.f4ad-doc, h4.f4ad-doc { border-top: 1px solid #e3e6ea; padding-top: 10px; margin-top: 22px; }
pre.f4ad-sig { background: #f3f5f8; border-left: 3px solid #3b75af; padding: 6px 10px; white-space: pre-wrap; }
details.f4ad-src > summary { cursor: pointer; color: #6a737d; font: 13px system-ui, sans-serif; margin: 2px 0 4px; }
.f4ad-footer { display: flex; justify-content: space-between; border-top: 1px solid #e3e6ea; margin-top: 28px;
  padding-top: 10px; font: 14px system-ui, sans-serif; }
.celltag_injected-parameters::before { content: "Parameters of this run (injected by the stage runner)";
  display: block; font: 12px system-ui, sans-serif; color: #6a737d; margin-left: 4px; }
@media (max-width: 1100px) { .f4ad-main.f4ad-has-toc { margin-right: 0; }
  .f4ad-toc { position: static; width: auto; padding: 4px 0 8px; border-left: 0; border-bottom: 1px solid #e3e6ea; }
  .f4ad-toc li { display: inline-block; margin-right: 14px; } .f4ad-toc li.f4ad-toc-3 { display: none; } }
@media (max-width: 820px) { .f4ad-nav { position: static; width: auto; border-right: 0; border-bottom: 1px solid #dde1e6; }
  .f4ad-main { margin-left: 0; padding: 8px 14px; } .f4ad-hits { left: 8px; width: calc(100vw - 16px); } }
"""

def _inline_md(s: str) -> str:
    "One line of markdown as inline HTML (titles and descriptions may use *emphasis* and `code`)."
    from nbconvert.filters.markdown import markdown2html_mistune
    return re.sub(r'^<p>|</p>$', '', markdown2html_mistune(s).strip())

def _plain(s: str) -> str:
    "One line of markdown as plain text: `*Fractals*` -> `Fractals`, `fractal4ad_nb` stays."
    return html.unescape(re.sub(r'<[^>]+>', '', _inline_md(s))) if s else s

def _nav(pages: list[Page], current: Page, brand: str, repo_url: str | None = None) -> str:
    e = html.escape
    out = [f'<a class="f4ad-brand" href="index.html">{e(brand)}</a>']
    if repo_url: out.append(f'<a class="f4ad-repo" href="{e(repo_url)}">Repository</a>')
    out.append('<div class="f4ad-search" role="search"><input id="f4ad-q" type="search" placeholder="Search" '
               'aria-label="Search the documentation" autocomplete="off" spellcheck="false">'
               '<ol id="f4ad-hits" class="f4ad-hits" hidden></ol></div>')
    for sec, label in SECTIONS.items():
        ps = [p for p in pages if p.section == sec]
        if not ps: continue
        out.append(f'<h2>{e(label)}</h2><ul>')
        out += [f'<li><a href="{e(p.name)}"' + (' class="current" aria-current="page"' if p is current else '') +
                f'>{_inline_md(p.title or p.nb.stem)}</a></li>' for p in ps]
        out.append('</ul>')
    return '\n'.join(out)

def _prevnext(pages: list[Page], i: int) -> str:
    e = html.escape
    prev = f'<a href="{e(pages[i-1].name)}">← {_inline_md(pages[i-1].title)}</a>' if i > 0 else '<span></span>'
    nxt = f'<a href="{e(pages[i+1].name)}">{_inline_md(pages[i+1].title)} →</a>' if i + 1 < len(pages) else '<span></span>'
    return prev + nxt

def source_links(page: Page, repo: Repo | None) -> tuple[str, object]:
    "The header line linking a page's notebook and module in the repository, and `name -> web address` of documented names."
    if repo is None: return '', lambda name: None
    e, links = html.escape, [(f'{repo.nbs_path}/{page.nb.name}', repo.blob(f'{repo.nbs_path}/{page.nb.name}'))]
    lines = {}
    if page.module:
        mp = repo.module_path(page.module)
        if (repo.root / mp).is_file():
            links.append((mp, repo.blob(mp))); lines = module_lines(repo.root / mp)
    line = ('<p class="f4ad-source">Source: ' + ' · '.join(f'<a href="{e(u)}"><code>{e(t)}</code></a>' for t, u in links) + '</p>')
    return line, lambda name: repo.blob(repo.module_path(page.module), lines[name]) if name in lines else None

def _note(page: Page, nb) -> str:
    if page.section != 'paper': return ''
    if not page.executed:
        return ('<p class="f4ad-note not-executed">Not executed in this build: run <code>fractal4ad-reproduce --out DIR</code>, '
                'then <code>python tools/docs.py --executed DIR</code> to show its outputs.</p>')
    pm = nb.metadata.get('papermill', {}) or {}
    params = ', '.join(f'{k}={v!r}' for k, v in (pm.get('parameters') or {}).items() if k != 'out')
    when = str(pm.get('end_time') or '')[:19].replace('T', ' ')
    return (f'<p class="f4ad-note executed">Executed by <code>fractal4ad-reproduce</code>' + (f' on {html.escape(when)}' if when else '') +
            (f' with {html.escape(params)}' if params else '') + '.</p>')

def lab_css(exporter) -> str:
    "JupyterLab's light notebook styles as nbconvert ships them (written once as lab.css instead of inlined in every page)."
    env = exporter.environment
    return '\n'.join(env.loader.get_source(env, f)[0] for f in ('static/index.css', 'static/theme-light.css'))

def tex_to_mathml(tex: str, display: bool = False) -> str:
    "MathML for the TeX `tex` (latex2mathml), which browsers lay out natively; TeX it cannot convert stays visible as code."
    from latex2mathml.converter import convert
    try: return convert(tex.strip(), display='block' if display else 'inline')
    except Exception: return f'<code class="f4ad-tex">{html.escape(tex)}</code>'

def _exporter():
    "nbconvert's lab HTML exporter with the page template, and markdown math turned into MathML at build time (no MathJax)."
    from jinja2 import DictLoader, pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    class MathMLRenderer(IPythonRenderer):
        def inline_math(self, body: str) -> str: return tex_to_mathml(body)
        def block_math(self, body: str) -> str: return tex_to_mathml(body, display=True)
        def latex_environment(self, name: str, body: str) -> str: return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)
    class Exporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):   # nbconvert's own, with the renderer above
            cell = context.get("cell", {})
            renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}), embed_images=self.embed_images,
                                      path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                                      anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links,
                                      **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)
    return Exporter(template_name='lab', extra_loaders=[DictLoader({'f4ad_page.html.j2': PAGE_TEMPLATE})],
                    template_file='f4ad_page.html.j2', exclude_input_prompt=True, exclude_output_prompt=True)

def _to_nbformat(nb):
    import nbformat
    from execnb.nbio import nb2dict
    d = nb2dict(nb); d.setdefault('metadata', {})['title'] = _plain(nb.title_)
    for i, c in enumerate(d['cells']):
        c.setdefault('metadata', {}); c.setdefault('id', f'f4ad-cell-{i}')
        if c['cell_type'] == 'code': c.setdefault('outputs', []); c.setdefault('execution_count', None)
    return nbformat.reads(json.dumps(d), as_version=4)

class _PageParser(HTMLParser):
    "Headings (level, id, text) of a rendered page's <main>, each with the prose of the markdown cells under it."
    _SKIP = {'script', 'style', 'thead'}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = [dict(level=1, id='', title='', text=[])]   # what comes before the first heading
        self.in_main, self.divs, self.md_at, self.skip, self.head = False, 0, None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); cls = (a.get('class') or '').split()
        if self.skip: return
        if tag in self._SKIP or (tag == 'a' and {'anchor-link', 'f4ad-srclink'} & set(cls)): self.skip = tag; return
        if tag == 'main': self.in_main = True
        if tag == 'div':
            self.divs += 1
            if 'jp-RenderedMarkdown' in cls and self.md_at is None: self.md_at = self.divs
        if self.in_main and re.fullmatch(r'h[1-4]', tag) and a.get('id'):
            self.head = dict(level=int(tag[1]), id=a['id'], title=[], text=[], tag=tag); self.sections.append(self.head)
        self._space()
    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip: self.skip = None
            return
        if tag == 'main': self.in_main = False
        if tag == 'div':
            if self.md_at == self.divs: self.md_at = None
            self.divs -= 1
        if self.head is not None and tag == self.head['tag']: self.head = None
        self._space()
    def _space(self):
        if self.head is not None: self.head['title'].append(' ')
        elif self.md_at is not None: self.sections[-1]['text'].append(' ')
    def handle_data(self, data):
        if self.skip or not self.in_main: return
        if self.head is not None: self.head['title'].append(data)
        elif self.md_at is not None: self.sections[-1]['text'].append(data)

def _squash(parts) -> str: return re.sub(r'\s+', ' ', ''.join(parts)).strip()

def page_sections(body: str) -> list[dict]:
    "Sections of a rendered page: level, id and title of each heading (level 0: the part before the first), and its prose."
    p = _PageParser(); p.feed(body); p.close()
    return [dict(level=s['level'] if s['id'] else 0, id=s['id'], title=_squash(s['title']), text=_squash(s['text']))
            for s in p.sections]

def toc_html(sections: list[dict], levels=(2, 3)) -> str:
    "The 'On this page' list: links to the headings of `levels`; empty for a page without any."
    e, hs = html.escape, [s for s in sections if s['level'] in levels and s['title']]
    if not hs: return ''
    items = ''.join(f'<li class="f4ad-toc-{s["level"]}"><a href="#{e(s["id"])}">{e(s["title"])}</a></li>' for s in hs)
    return f'<nav class="f4ad-toc" aria-label="on this page"><h2>On this page</h2><ul>{items}</ul></nav>'

SEARCH_TEXT = 1500   # characters of prose kept per section in the search index

def search_entries(page: Page, sections: list[dict]) -> list[dict]:
    "Search-index entries of a page: the page itself (title, description, opening prose), then each heading with its prose."
    out = []
    for s in sections:
        if s['level'] == 0:
            out.append(dict(page=page.name, title=_plain(page.title), anchor='', heading=_plain(page.title),
                            text=(_plain(page.description) + ' ' + s['text']).strip()[:SEARCH_TEXT]))
        elif s['title']:
            out.append(dict(page=page.name, title=_plain(page.title), anchor=s['id'], heading=s['title'], text=s['text'][:SEARCH_TEXT]))
    return out

SEARCH_JS = r"""// Client-side search of the offline site: window.F4AD_SEARCH (search-index.js) holds one entry per page section.
(function () {
  var idx = window.F4AD_SEARCH || [], box = document.getElementById('f4ad-q'), list = document.getElementById('f4ad-hits');
  if (!box || !list) return;
  function score(e, terms) {
    var h = (e.heading + ' ' + e.title).toLowerCase(), x = e.text.toLowerCase(), s = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (e.heading.toLowerCase() === t) s += 50;
      if (h.indexOf(t) >= 0) s += 10; else if (x.indexOf(t) >= 0) s += 1; else return 0;
    }
    return s + (e.anchor ? 0 : 2);
  }
  function snippet(text, terms) {
    var low = text.toLowerCase(), at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = low.indexOf(terms[i]);
    var from = Math.max(0, at - 40);
    return (from > 0 ? '… ' : '') + text.slice(from, from + 160) + (from + 160 < text.length ? ' …' : '');
  }
  function search(q) {
    var terms = q.toLowerCase().split(/\s+/).filter(function (t) { return t; });
    list.textContent = '';
    if (!terms.length) { list.hidden = true; return []; }
    var hits = [];
    for (var i = 0; i < idx.length; i++) { var s = score(idx[i], terms); if (s) hits.push([s, i]); }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    hits = hits.slice(0, 30);
    if (!hits.length) {
      var li = document.createElement('li'); li.className = 'f4ad-nohit'; li.textContent = 'No matches for "' + q + '"';
      list.appendChild(li);
    }
    hits.forEach(function (h) {
      var e = idx[h[1]], li = document.createElement('li'), a = document.createElement('a');
      a.href = e.page + (e.anchor ? '#' + e.anchor : '');
      var t = document.createElement('span'); t.className = 'f4ad-hit-title'; t.textContent = e.heading;
      var p = document.createElement('span'); p.className = 'f4ad-hit-page'; p.textContent = e.title;
      var x = document.createElement('span'); x.className = 'f4ad-hit-text'; x.textContent = snippet(e.text, terms);
      a.appendChild(t); a.appendChild(p); a.appendChild(x); li.appendChild(a); list.appendChild(li);
    });
    list.hidden = false;
    select(0);
    return hits;
  }
  var sel = 0;
  function select(i, scroll) {   // the hit that Enter opens; arrow keys move it
    var links = list.querySelectorAll('a');
    if (!links.length) return;
    sel = Math.max(0, Math.min(links.length - 1, i));
    for (var k = 0; k < links.length; k++) links[k].classList.toggle('f4ad-sel', k === sel);
    if (scroll) links[sel].scrollIntoView({block: 'nearest'});
  }
  box.addEventListener('input', function () { search(box.value); });
  box.addEventListener('keydown', function (ev) {
    var links = list.querySelectorAll('a');
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') { ev.preventDefault(); select(sel + (ev.key === 'ArrowDown' ? 1 : -1), true); }
    if (ev.key === 'Enter' && links.length) window.location.href = links[sel].href;
    if (ev.key === 'Escape') { box.value = ''; search(''); }
  });
  document.addEventListener('click', function (ev) { if (!list.contains(ev.target) && ev.target !== box) list.hidden = true; });
  var q = new URLSearchParams(window.location.search).get('q');   // page.html?q=words opens with that search
  if (q) { box.value = q; search(q); }
})();
"""

def write_search_index(out: Path, entries: list[dict]):
    "search.json (the index, for tools) and search-index.js (the same as a script: browsers refuse fetch() on file:// pages)."
    data = json.dumps(entries, ensure_ascii=False, separators=(',', ':'))
    atomic_write_text(out / 'search.json', data + '\n')
    atomic_write_text(out / 'search-index.js', 'window.F4AD_SEARCH = ' + data.replace('</', '<\\/') + ';\n')
    atomic_write_text(out / 'search.js', SEARCH_JS.lstrip())

MANIFEST = 'site.json'

def _prepare_out(out: Path) -> list[str]:
    "Create `out`, refusing a non-empty folder this tool did not write; returns the pages of the previous build."
    if out.exists() and not out.is_dir(): raise InputError(f"{out} is a file: choose a folder for the site")
    out.mkdir(parents=True, exist_ok=True)
    man = out / MANIFEST
    if man.exists():
        try: return list(json.loads(man.read_text())['pages'])
        except (ValueError, KeyError): raise InputError(f"{man} is damaged: delete the folder {out} and build again") from None
    if any(out.iterdir()): raise InputError(f"{out} is not empty and holds no {MANIFEST}: choose a new or empty folder for the site")
    return []

def build_site(nbs=None, out='_site_offline', executed=None, brand: str = 'fractal4ad_nb', progress: bool = True,
               repo: Repo | None = None) -> list[Page]:
    "Build the offline site from `nbs` (executed paper notebooks from `executed`) into `out`; returns its pages (`out/page.name`). Source links go to `repo` (default: the checkout holding `nbs`, if it has a settings.ini)."
    from tqdm.auto import tqdm
    nbs = Path(nbs) if nbs is not None else _default_nbs()
    if repo is None and (nbs.resolve().parent / 'settings.ini').is_file(): repo = repo_info(nbs.resolve().parent)
    out = Path(out); pages = find_pages(nbs, executed)
    old = _prepare_out(out)
    report = report_page(executed)
    if report is not None: pages.insert(1, report)                    # after the home page: what the run found
    names = {p.nb.name: p.name for p in pages}
    shutil.rmtree(out / REPORT_DIR, ignore_errors=True)              # (out is a previous build: _prepare_out checked it)
    procd, srcs = [], []
    for p in tqdm(pages, desc='processing notebooks', disable=not progress, leave=False):
        srcs.append(source_links(p, repo) if p is not report else ('', lambda name: None))   # the report is not in the repository
        if p is report:
            with tempfile.TemporaryDirectory() as t: nb = process_notebook(report_notebook(p.src, names, out, Path(t) / 'results.ipynb'), names)
        else: nb = process_notebook(p.src, names, source_link=srcs[-1][1])
        p.title, p.description = nb.title_ or p.nb.stem, nb.description_
        procd.append(nb)
    anchors = {f'{p.name}#{m}' for p, nb in zip(pages, procd) for c in nb.cells if c.cell_type == 'markdown'
               for m in re.findall(r'<h[34] id="([^"]+)" class="f4ad-doc"', c.source)}
    linkify, exporter, index = make_linkify(anchors), _exporter(), []
    for i, (p, nb) in enumerate(tqdm(list(zip(pages, procd)), desc='rendering pages', disable=not progress, leave=False)):
        for c in nb.cells:
            if c.cell_type == 'markdown': c.source = linkify(c.source)
        res = {'f4ad': dict(nav=_nav(pages, p, brand, repo.url if repo else None), title_html=_inline_md(p.title),
                            description=p.description, description_html=_inline_md(p.description),
                            source=srcs[i][0], note=_note(p, nb), prevnext=_prevnext(pages, i))}
        body, _ = exporter.from_notebook_node(_to_nbformat(nb), resources=res)
        secs = page_sections(body)
        index += search_entries(p, secs)
        toc = toc_html(secs)
        if toc: body = body.replace('<main class="f4ad-main">', '<main class="f4ad-main f4ad-has-toc">', 1)
        atomic_write_text(out / p.name, body.replace('<!--f4ad-toc-->', toc, 1))
    atomic_write_text(out / 'site.css', SITE_CSS.lstrip())
    atomic_write_text(out / 'lab.css', lab_css(exporter))
    write_search_index(out, index)
    for stale in set(old) - {p.name for p in pages}: (out / stale).unlink(missing_ok=True)
    atomic_write_text(out / MANIFEST, json.dumps(dict(
        pages=[p.name for p in pages], built=time.strftime('%Y-%m-%d %H:%M:%S'), nbs=str(nbs.resolve()),
        executed=[p.src.name for p in pages if p.executed],
        executed_from=str(executed_dir(executed).resolve()) if executed is not None else None), indent=1) + '\n')
    return pages

def _default_nbs() -> Path:
    from fractal4ad_nb.reproduce import repo_root
    p = repo_root() / 'nbs'
    if not p.is_dir(): raise InputError(f"no notebooks at {p}: this install has no source checkout; pass --nbs")
    return p

@dataclass
class BrokenLink:
    page: str     # file holding the link, relative to the site
    url: str      # the href/src as written
    reason: str

class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(); self.ids, self.refs = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k) is not None: self.refs.append((tag, a[k]))
    handle_startendtag = handle_starttag

def _parse_html(path: Path) -> _LinkParser:
    p = _LinkParser(); p.feed(path.read_text(encoding='utf-8', errors='replace')); p.close()
    return p

_WEB = ('http', 'https', 'mailto', 'data', 'javascript', 'tel', 'ftp')

def check_links(site) -> list[BrokenLink]:
    "Every broken internal link (missing file, outside the site, absolute, missing anchor) in the HTML files of `site`."
    site = Path(site).resolve()
    if not site.is_dir(): raise InputError(f"{site} is not a folder: build the site first (python tools/docs.py)")
    parsed = {p: _parse_html(p) for p in sorted(site.rglob('*.html'))}
    broken = []
    for page, pp in parsed.items():
        rel = page.relative_to(site).as_posix()
        for tag, url in pp.refs:
            u = urlsplit(url.strip())
            if u.scheme.lower() in _WEB or url.strip().startswith('//'): continue
            bad = lambda why: broken.append(BrokenLink(rel, url, why))
            if u.scheme: bad(f'{u.scheme}: link does not travel with the site'); continue
            if u.path.startswith('/'): bad('absolute path: breaks when the site moves'); continue
            target = (page.parent / unquote(u.path)).resolve() if u.path else page
            if not target.is_relative_to(site): bad('points outside the site'); continue
            if target.is_dir(): target = target / 'index.html'
            if not target.exists(): bad('missing file'); continue
            if u.fragment and target.suffix == '.html':
                ids = parsed[target].ids if target in parsed else _parse_html(target).ids
                if u.fragment not in ids and unquote(u.fragment) not in ids: bad('missing anchor')
    return broken

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars']

def find_chromium() -> str | None:
    "Path of a Chromium/Chrome executable, or None."
    for n in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if shutil.which(n): return shutil.which(n)
    return '/usr/bin/chromium' if Path('/usr/bin/chromium').exists() else None

def _chromium(url: str, args: list, chromium: str | None, size, timeout: float, want):
    "Run headless Chromium on `url` with `args` in a fresh profile folder; `want(result, tmp)` returns what the caller needs."
    exe = chromium or find_chromium()
    if not exe: raise InputError("no Chromium found: install it (Debian: apt-get install chromium) or pass its path")
    if not (Path(exe).is_file() or shutil.which(exe)): raise InputError(f"no Chromium at {exe}: install it (Debian: apt-get install chromium) or pass its path")
    with tempfile.TemporaryDirectory(prefix='f4ad-chromium-') as tmp:
        cmd = [exe, *CHROMIUM_FLAGS, f'--user-data-dir={tmp}/profile', *[a.format(tmp=tmp) for a in args],
               f'--window-size={size[0]},{size[1]}', url]
        try: r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired: raise RuntimeError(f"Chromium did not finish {url} within {timeout} s") from None
        return want(r, Path(tmp))

def _url(page) -> str: return str(page) if re.match(r'^[a-z]+://', str(page)) else Path(page).resolve().as_uri()

def screenshot(page, png, chromium: str | None = None, size=(1280, 900), timeout: float = 120) -> Path:
    "Render `page` (an HTML file or a URL) in headless Chromium and save a PNG screenshot of its top at `png`."
    url = _url(page)
    def want(r, tmp):
        shot = tmp / 'shot.png'
        if not shot.exists() or shot.stat().st_size == 0:
            raise RuntimeError(f"Chromium wrote no screenshot of {url} (exit {r.returncode}): {r.stderr[-800:]}")
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(png, shot.read_bytes())
    return _chromium(url, ['--screenshot={tmp}/shot.png'], chromium, size, timeout, want)

def page_dom(page, chromium: str | None = None, query: str | None = None, size=(1280, 900), timeout: float = 120) -> str:
    "The DOM of `page` (an HTML file or a URL) after headless Chromium has loaded it and run its scripts (`query`: opened as page?q=query)."
    from urllib.parse import quote
    url = _url(page) + (f'?q={quote(query)}' if query else '')
    def want(r, tmp):
        if r.returncode != 0 or '<html' not in r.stdout.lower():
            raise RuntimeError(f"Chromium dumped no DOM of {url} (exit {r.returncode}): {r.stderr[-800:]}")
        return r.stdout
    return _chromium(url, ['--dump-dom', '--virtual-time-budget=5000'], chromium, size, timeout, want)

def png_stats(png) -> dict:
    "Size, file bytes, distinct colours, grey-level spread and the share of non-background pixels of an image."
    import numpy as np
    from PIL import Image
    a = np.asarray(Image.open(png).convert('RGB')).astype(np.int32)
    flat = (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]
    vals, counts = np.unique(flat, return_counts=True)
    bg = vals[counts.argmax()]
    return dict(width=a.shape[1], height=a.shape[0], bytes=Path(png).stat().st_size, colors=int(len(vals)),
                std=float(a.mean(-1).std()), ink=float((flat != bg).mean()))

def looks_rendered(stats: dict, min_colors: int = 64, min_std: float = 8.0, min_ink: float = 0.03) -> bool:
    "True for a screenshot with text and structure; False for a blank or almost blank one."
    return stats['colors'] >= min_colors and stats['std'] >= min_std and stats['ink'] >= min_ink

@cli
def docs_cli(out: str = '_site_offline',       # folder for the site (created; an existing one must be a previous build)
             nbs: str = None,                  # notebook folder (default: nbs/ of this checkout)
             executed: str = None,             # folder given to `fractal4ad-reproduce --out` (or its notebooks/): executed paper pages
             check: store_true = False,        # check internal links after building; exit 1 if any is broken
             screenshots: str = None,          # folder for PNG screenshots of the index, the first library and the first paper page (needs Chromium)
             quiet: store_true = False):       # no progress bars
    "Build the documentation site offline (no Quarto): processed notebooks rendered by nbconvert, with navigation."
    def go():
        pages = build_site(nbs, out, executed, progress=not quiet)
        print(f"wrote {len(pages)} pages to {Path(out).resolve()}/index.html"
              f" ({sum(p.executed for p in pages)} executed paper notebooks)")
        if check:
            bad = check_links(out)
            for b in bad: print(f"broken link in {b.page}: {b.url} ({b.reason})", file=sys.stderr)
            if bad: sys.exit(1)
            print("links: no broken internal links")
        if screenshots:
            targets = [Path(out) / next(p.name for p in pages if p.section == sec)
                       for sec in ('home', 'library', 'paper') if any(p.section == sec for p in pages)]
            for t in targets:
                png = screenshot(t, Path(screenshots) / (t.stem + '.png'))
                print(f"screenshot {png}: {png_stats(png)}")
    run_cli(go)

if __name__ == '__main__': docs_cli()
