"""Indexes over the archive: the customer listing cache and the Whoosh search index.

Three imports Whoosh-Reloaded 2.7.5 makes cost every search and edit from the command line more
than the work (``python -X importtime``, bench/README.md), and none is used here:
- ``cached_property`` (the backport) imports ``asyncio``: ~35 ms. The standard library's
  ``functools.cached_property`` (which the backport itself points to) does the same for the one
  property Whoosh decorates, so it stands in unless something imported the backport first.
- ``whoosh.compat`` takes ``urlretrieve`` from ``urllib.request``, which imports ``http.client``,
  ``email`` and ``ssl``: ~20-30 ms; ``whoosh.query.terms`` takes ``variations`` (English word
  forms) from ``whoosh.lang.morph_en``, which compiles hundreds of patterns: ~6-11 ms. While each
  of the two is imported, a stand-in module gives it a function that imports the real one when
  called (nothing here calls either), and is removed at once: a later import gets the real module."""

import functools
import importlib
import sys
import types
from importlib.machinery import PathFinder

if "cached_property" not in sys.modules:
    _standard = types.ModuleType("cached_property", "functools.cached_property standing in for the backport")
    _standard.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _standard

# the module Whoosh imports -> (the module it takes a function from, that function's name)
_DEFERRED = {
    "whoosh.compat": ("urllib.request", "urlretrieve"),
    "whoosh.query.terms": ("whoosh.lang.morph_en", "variations"),
}


def _stand_in(module: str, function: str) -> types.ModuleType:
    def deferred(*args, **kwargs):
        return getattr(importlib.import_module(module), function)(*args, **kwargs)

    stand_in = types.ModuleType(module, "a stand-in while a Whoosh module is imported (see custtui.core.index)")
    setattr(stand_in, function, deferred)
    return stand_in


class _DeferringFinder:
    """Finds the Whoosh modules of ``_DEFERRED`` where Python would, and runs each with its stand-in
    in place; only when Whoosh is imported at all (reading a customer imports none of it)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in _DEFERRED:
            return None
        module, function = _DEFERRED.pop(name)
        if not _DEFERRED:
            sys.meta_path.remove(_DeferringFinder)
        spec = PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None or module in sys.modules:
            return spec
        run = spec.loader.exec_module
        stand_in = _stand_in(module, function)

        def exec_module(imported) -> None:
            sys.modules[module] = stand_in
            try:
                run(imported)
            finally:
                if sys.modules.get(module) is stand_in:
                    del sys.modules[module]

        spec.loader.exec_module = exec_module
        return spec


if not any(name in sys.modules for name in _DEFERRED):
    sys.meta_path.insert(0, _DeferringFinder)
