"Package metadata comes from settings.ini (nbdev 2 convention); pyproject.toml names the build backend."
from configparser import ConfigParser
from pathlib import Path
import shutil
import setuptools
from setuptools.command.build_py import build_py as _build_py

here = Path(__file__).resolve().parent
if not (here / 'settings.ini').is_file():
    raise SystemExit(f"settings.ini not found in {here}: build from a checkout or an sdist (MANIFEST.in includes it)")
cfg = ConfigParser(delimiters=['='])
cfg.read(here / 'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']
lines = lambda key: [x for x in cfg.get(key, '').split() if x]
statuses = {'1': 'Planning', '2': 'Pre-Alpha', '3': 'Alpha', '4': 'Beta', '5': 'Production/Stable'}
docs_url = cfg['doc_host'] + cfg['doc_baseurl']

class build_py(_build_py):
    "Also ship the main job's stage notebooks (nbs/3?_*.ipynb) in the package, so fractal4ad-reproduce runs from a plain install."
    def run(self):
        super().run()
        stages = sorted((here / 'nbs').glob('3[0-9]_*.ipynb'))
        if not stages: raise SystemExit(f"no stage notebooks nbs/3?_*.ipynb in {here}: build from a checkout or an sdist")
        dest = Path(self.build_lib) / cfg['lib_path'] / 'stages'; dest.mkdir(parents=True, exist_ok=True)
        for nb in stages: shutil.copy2(nb, dest / nb.name)

setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    author=cfg['author'], author_email=cfg['author_email'], url=cfg['git_url'],
    license_expression='Apache-2.0', license_files=['LICENSE', 'NOTICE', 'THIRD_PARTY_NOTICES.md'],
    keywords=cfg['keywords'].split(), python_requires=f">={cfg['min_python']}",
    classifiers=[f"Development Status :: {cfg['status']} - {statuses[cfg['status']]}",
                 f"Intended Audience :: {cfg['audience']}", 'Natural Language :: English',
                 'Programming Language :: Python :: 3', f"Programming Language :: Python :: {cfg['min_python']}",
                 'Topic :: Scientific/Engineering :: Artificial Intelligence',
                 'Topic :: Scientific/Engineering :: Image Recognition'],
    project_urls={'Documentation': docs_url, 'Source': cfg['git_url'], 'Issues': cfg['git_url'] + '/issues',
                  'Changelog': cfg['git_url'] + f"/blob/{cfg['branch']}/CHANGELOG.md"},
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    include_package_data=True, zip_safe=False, package_data={cfg['lib_path']: ['*.csv']},
    install_requires=lines('requirements'),
    extras_require={'dev': lines('dev_requirements')},
    entry_points={'console_scripts': cfg['console_scripts'].split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    cmdclass={'build_py': build_py},
    long_description=(here / 'README.md').read_text(encoding='utf-8'), long_description_content_type='text/markdown',
)
