"""Build hook: a wheel carries the default standard and the sample archive inside the package.

The repository keeps ``schema/`` and ``sample-archive/`` at its top level, where people edit
them; ``build_py`` copies them to ``custtui/_bundled/`` in the build, so there is no second
copy to keep in step (``custtui/core/base/bundled.py`` finds either). Everything else is in
``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# folder: the parts a wheel carries (None: all of it); sample-archive's generator and data stay behind
BUNDLED = {"schema": None, "sample-archive": ("archive.toml", "offices", "customers")}


class BuildWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository's folders in place
            return
        target = Path(self.build_lib) / "custtui" / "_bundled"
        for folder, parts in BUNDLED.items():
            for part in parts or [p.name for p in (HERE / folder).iterdir()]:
                source, copy = HERE / folder / part, target / folder / part
                if source.is_dir():
                    shutil.copytree(source, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, copy)


setup(cmdclass={"build_py": BuildWithBundled})
