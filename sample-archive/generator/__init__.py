"""The sample archive's generator, used by ``sample-archive/generate.py``. The data it works from
are TOML files under ``sample-archive/data/``; the modules, in the order they build on each other:
``common`` (settings, 华信集团 itself, schema and validator, dates, money, codes), ``customers``
(products, customers, invented contacts, USCC and ID numbers), ``story`` (contracts, stage
history, notes, deals), ``content`` (each document's text as blocks), ``render`` (blocks to
PDF/DOCX/XLSX/TXT/MD/CSV), ``scans`` (scanned paper as images), ``write`` (the archive on disk)
and ``check`` (verifying it).
"""
