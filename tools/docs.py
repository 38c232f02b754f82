"""The documentation site without Quarto: the notebooks processed the nbdev way, rendered to HTML by nbconvert, with a
sidebar, a link checker and headless-Chromium screenshots.

Project tooling, not part of the installed package: run it from a checkout as
    .venv/bin/python tools/docs.py --out _site_offline --check
Its documentation and tests are nbs/90_docs.ipynb."""


from __future__ import annotations
import ast, html, io, json, re, shutil, subprocess, sys, tempfile, time, tokenize
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from fastcore.script import call_parse, store_true
from fractal4ad_nb.core import InputError, run_cli, atomic_write_bytes, atomic_write_text


SECTIONS = {'home': 'Home', 'library': 'Library', 'paper': 'Paper: tables and figures', 'tools': 'Project tools'}
_DEFAULT_EXP = re.compile(r'^\s*#\|\s*default_exp\s+\S+', re.M)

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
        section = ('home' if p.stem == 'index' else 'library' if _DEFAULT_EXP.search(code)
                   else 'tools' if p.name.startswith('9') else 'paper')   # 9x notebooks test project tooling (tools/)
        name = page_name(p)
        if name in names: raise InputError(f"{p.name} and {names[name]} would both become {name}: rename one")
        names[name] = p.name
        src = ex / p.name if section == 'paper' and ex is not None and (ex / p.name).exists() else p
        pages.append(Page(p, src, name, section, executed=src != p))
    order = list(SECTIONS)
    return sorted(pages, key=lambda pg: (order.index(pg.section), pg.nb.name))

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

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
    return dict(name=name, level=level, signature=sig, doc=doc, params=ps)

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

def _cell_md(s: str) -> str: return s.replace('|', '\\|').replace('\n', ' ')

def entry_markdown(e: dict, anchor: bool = True) -> str:
    "Markdown (with HTML heading and signature) for one documentation entry."
    h = f"h{e['level']}"
    idattr = f' id="{html.escape(e["name"].lower())}"' if anchor else ''
    parts = [f'<{h}{idattr} class="f4ad-doc"><code>{html.escape(e["name"])}</code></{h}>',
             f'<pre class="f4ad-sig"><code>{html.escape(e["signature"])}</code></pre>']
    if e['doc']: parts.append(e['doc'])
    if any(p['comment'] for p in e['params']):
        rows = ['| | Type | Default | Details |', '|---|---|---|---|']
        rows += [f"| **{_cell_md(p['name'])}** | `{_cell_md(p['anno'])}` | "
                 f"{'' if p['default'] is None else '`' + _cell_md(p['default']) + '`'} | {_cell_md(p['comment'])} |"
                 .replace('``', '') for p in e['params'] if p['name'] != '*']
        parts.append('\n'.join(rows))
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
    cells, seen = [], set()
    for c in nb.cells:
        d = getattr(c, 'directives_', {}) if c.cell_type == 'code' else {}
        if d.keys() & {'exporti', 'default_exp'}: continue
        if d.keys() & {'export', 'exports'}:
            for e in doc_entries(c.source):
                cells.append(_mk(entry_markdown(e, anchor=e['name'].lower() not in seen))); seen.add(e['name'].lower())
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

def process_notebook(path, names: dict | None = None):
    "Read a notebook and process it the nbdev way for the offline site; returns execnb's notebook object."
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import populate_language, strip_ansi, hide_line, filter_stream_, rm_header_dash, hide_, clean_magics
    try: nb = read_nb(path)
    except Exception as e: raise InputError(f"cannot read notebook {path} ({type(e).__name__}: {e}); fix or remove it") from None
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
{{ resources.f4ad.note }}</header>
{%- endblock body_header -%}
{% block codecell %}
{%- if cell.metadata.get('f4ad_fold') -%}
<details class="f4ad-src"><summary>Exported source</summary>{{ super() }}</details>
{%- else -%}{{ super() }}{%- endif -%}
{% endblock codecell %}
{% block body_footer %}
<footer class="f4ad-footer">{{ resources.f4ad.prevnext }}</footer>
</main>
</body>
{% endblock body_footer %}
"""

SITE_CSS = """
body.f4ad { margin: 0; padding: 0; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
.jp-Collapser { display: none; }
.cm-editor.cm-s-jupyter .highlight pre { margin: 0; padding: 5px 6px; font: inherit; color: inherit; overflow-x: auto; }
.jp-RenderedMarkdown pre { margin-bottom: .9em; }
.jp-OutputArea-output pre, .jp-RenderedText pre { line-height: inherit; font-family: inherit; }
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
.f4ad-main { margin-left: 250px; padding: 8px 36px 40px; max-width: 1040px; }
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
@media (max-width: 820px) { .f4ad-nav { position: static; width: auto; border-right: 0; border-bottom: 1px solid #dde1e6; }
  .f4ad-main { margin-left: 0; padding: 8px 14px; } }
"""

def _inline_md(s: str) -> str:
    "One line of markdown as inline HTML (titles and descriptions may use *emphasis* and `code`)."
    from nbconvert.filters.markdown import markdown2html_mistune
    return re.sub(r'^<p>|</p>$', '', markdown2html_mistune(s).strip())

def _plain(s: str) -> str: return re.sub(r'[*_`]', '', s)

def _nav(pages: list[Page], current: Page, brand: str) -> str:
    e = html.escape
    out = [f'<a class="f4ad-brand" href="index.html">{e(brand)}</a>']
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

def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name='lab', extra_loaders=[DictLoader({'f4ad_page.html.j2': PAGE_TEMPLATE})],
                        template_file='f4ad_page.html.j2', exclude_input_prompt=True, exclude_output_prompt=True)

def _to_nbformat(nb):
    import nbformat
    from execnb.nbio import nb2dict
    d = nb2dict(nb); d.setdefault('metadata', {})['title'] = _plain(nb.title_)
    for i, c in enumerate(d['cells']):
        c.setdefault('metadata', {}); c.setdefault('id', f'f4ad-cell-{i}')
        if c['cell_type'] == 'code': c.setdefault('outputs', []); c.setdefault('execution_count', None)
    return nbformat.reads(json.dumps(d), as_version=4)

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

def build_site(nbs=None, out='_site_offline', executed=None, brand: str = 'fractal4ad_nb', progress: bool = True) -> list[Page]:
    "Build the offline site from `nbs` (executed paper notebooks from `executed`) into `out`; returns its pages (`out/page.name`)."
    from tqdm.auto import tqdm
    nbs = Path(nbs) if nbs is not None else _default_nbs()
    out = Path(out); pages = find_pages(nbs, executed)
    old = _prepare_out(out)
    names = {p.nb.name: p.name for p in pages}
    procd = []
    for p in tqdm(pages, desc='processing notebooks', disable=not progress, leave=False):
        nb = process_notebook(p.src, names)
        p.title, p.description = nb.title_ or p.nb.stem, nb.description_
        procd.append(nb)
    anchors = {f'{p.name}#{m}' for p, nb in zip(pages, procd) for c in nb.cells if c.cell_type == 'markdown'
               for m in re.findall(r'<h[34] id="([^"]+)" class="f4ad-doc"', c.source)}
    linkify, exporter = make_linkify(anchors), _exporter()
    for i, (p, nb) in enumerate(tqdm(list(zip(pages, procd)), desc='rendering pages', disable=not progress, leave=False)):
        for c in nb.cells:
            if c.cell_type == 'markdown': c.source = linkify(c.source)
        res = {'f4ad': dict(nav=_nav(pages, p, brand), title_html=_inline_md(p.title), description=p.description,
                            description_html=_inline_md(p.description),
                            note=_note(p, nb), prevnext=_prevnext(pages, i))}
        body, _ = exporter.from_notebook_node(_to_nbformat(nb), resources=res)
        atomic_write_text(out / p.name, body)
    atomic_write_text(out / 'site.css', SITE_CSS.lstrip())
    atomic_write_text(out / 'lab.css', lab_css(exporter))
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

def screenshot(page, png, chromium: str | None = None, size=(1280, 900), timeout: float = 120) -> Path:
    "Render `page` (an HTML file or a URL) in headless Chromium and save a PNG screenshot of its top at `png`."
    exe = chromium or find_chromium()
    if not exe: raise InputError("no Chromium found: install it (Debian: apt-get install chromium) or pass its path")
    if not (Path(exe).is_file() or shutil.which(exe)): raise InputError(f"no Chromium at {exe}: install it (Debian: apt-get install chromium) or pass its path")
    url = str(page) if re.match(r'^[a-z]+://', str(page)) else Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix='f4ad-chromium-') as tmp:
        shot = Path(tmp) / 'shot.png'
        cmd = [exe, *CHROMIUM_FLAGS, f'--user-data-dir={tmp}/profile', f'--screenshot={shot}',
               f'--window-size={size[0]},{size[1]}', url]
        try: r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired: raise RuntimeError(f"Chromium did not finish {url} within {timeout} s") from None
        if not shot.exists() or shot.stat().st_size == 0:
            raise RuntimeError(f"Chromium wrote no screenshot of {url} (exit {r.returncode}): {r.stderr[-800:]}")
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_bytes(png, shot.read_bytes())

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

@call_parse
def docs_cli(out: str = '_site_offline',       # folder for the site (created; an existing one must be a previous build)
             nbs: str = None,                  # notebook folder (default: nbs/ of this checkout)
             executed: str = None,             # folder given to `fractal4ad-reproduce --out` (or its notebooks/): executed paper pages
             check: store_true = False,        # check internal links after building; exit 1 if any is broken
             screenshots: str = None,          # folder for PNG screenshots of the index and the first paper page (needs Chromium)
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
            targets = [Path(out) / p.name for p in pages if p.section == 'home'][:1] + \
                      [Path(out) / p.name for p in pages if p.section == 'paper'][:1]
            for t in targets:
                png = screenshot(t, Path(screenshots) / (t.stem + '.png'))
                print(f"screenshot {png}: {png_stats(png)}")
    run_cli(go)

if __name__ == '__main__': docs_cli()
