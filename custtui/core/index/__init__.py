"""Indexes over the archive: the customer listing cache and the Whoosh search index.

Whoosh-Reloaded 2.7.5 takes one decorator from the ``cached_property`` backport, which imports
``asyncio`` for its async variants: ~35 ms of every search from the command line (measured with
``python -X importtime``, bench/README.md). The standard library's ``functools.cached_property``
(Python 3.8+, which the backport itself points to) does the same for the one property Whoosh
decorates, so it stands in for the backport unless something imported the backport first."""

import functools
import sys
import types

if "cached_property" not in sys.modules:
    _standard = types.ModuleType("cached_property", "functools.cached_property standing in for the backport")
    _standard.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _standard
