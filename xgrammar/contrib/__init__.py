"""Adapters for other frameworks, at upstream's paths: ``xgrammar.contrib.hf.LogitsProcessor``.

Each adapter imports its framework, so it is loaded lazily, on first attribute access
(``xgr.contrib.hf``): ``import xgrammar`` never needs transformers.
"""

import importlib
from typing import Any

__all__ = ["hf"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
