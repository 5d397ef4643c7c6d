"""Indexes over the archive: the customer listing cache and the Whoosh search index.

Two imports Whoosh-Reloaded 2.7.5 makes cost every search and edit from the command line more than
the work (``python -X importtime``, bench/README.md), and neither is used here:
- ``cached_property`` (the backport) imports ``asyncio``: ~35 ms. The standard library's
  ``functools.cached_property`` (which the backport itself points to) does the same for the one
  property Whoosh decorates, so it stands in unless something imported the backport first.
- ``whoosh.compat`` takes ``urlretrieve`` from ``urllib.request``, which imports ``http.client``,
  ``email`` and ``ssl``: ~20-30 ms. Nothing in Whoosh calls it; while ``whoosh.compat`` is imported a
  stand-in module gives it a ``urlretrieve`` that imports the real one when called, and is removed
  at once, so any later ``import urllib.request`` gets the real module."""

import functools
import sys
import types

if "cached_property" not in sys.modules:
    _standard = types.ModuleType("cached_property", "functools.cached_property standing in for the backport")
    _standard.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _standard


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


if "whoosh.compat" not in sys.modules and "urllib.request" not in sys.modules:
    _deferred = types.ModuleType("urllib.request", "a stand-in while whoosh.compat is imported")
    _deferred.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = _deferred
    try:
        import whoosh.compat  # noqa: F401
    finally:
        del sys.modules["urllib.request"]
