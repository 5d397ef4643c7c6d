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
from importlib.machinery import PathFinder

if "cached_property" not in sys.modules:
    _standard = types.ModuleType("cached_property", "functools.cached_property standing in for the backport")
    _standard.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _standard


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


_DEFERRED = types.ModuleType("urllib.request", "a stand-in while whoosh.compat is imported")
_DEFERRED.urlretrieve = _urlretrieve  # type: ignore[attr-defined]


class _WhooshCompatFinder:
    """Finds ``whoosh.compat`` where Python would, and runs it with the stand-in in place; only
    when Whoosh is imported at all (reading a customer imports none of it)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "whoosh.compat":
            return None
        sys.meta_path.remove(_WhooshCompatFinder)
        spec = PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None or "urllib.request" in sys.modules:
            return spec
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            sys.modules["urllib.request"] = _DEFERRED
            try:
                run(module)
            finally:
                if sys.modules.get("urllib.request") is _DEFERRED:
                    del sys.modules["urllib.request"]

        spec.loader.exec_module = exec_module
        return spec


if "whoosh.compat" not in sys.modules:
    sys.meta_path.insert(0, _WhooshCompatFinder)
