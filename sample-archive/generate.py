#!/usr/bin/env python3
"""Build the sample customer archive (华信集团客户档案) used for demos and tests of custtui.

Run from the repository root with the project's virtualenv:

    .venv/bin/python sample-archive/generate.py           # rebuild, then verify
    .venv/bin/python sample-archive/generate.py --check   # verify only

Rebuilding needs the extras ``pip install -e '.[sample]'`` (fpdf2, pillow, reportlab) and the
CJK font from Debian's ``fonts-wqy-zenhei``; the generated files are committed, so nothing else
(demo, tests, CI) needs either.

It deletes and rewrites only what it owns under ``sample-archive/``: ``archive.toml``,
``offices/`` and ``customers/``. Everything is fictional and deterministic: a fixed random seed,
fixed dates (the archive's "today" is 2026-11-01), no network, PDFs in reportlab's invariant
mode and DOCX/XLSX zips rewritten with fixed timestamps, so two runs give byte-identical files.

The customers, products and texts are data under ``sample-archive/data/`` (TOML, described in
``data/README.md``); the code that turns them into the archive is the ``generator`` package next
to this script (its ``__init__`` says which module does what).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this repository's custtui, whatever else is installed

from generator.check import check  # noqa: E402
from generator.write import build  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the existing sample archive")
    args = parser.parse_args()
    if not args.check:
        build(HERE)
    return check(HERE)


if __name__ == "__main__":
    sys.exit(main())
