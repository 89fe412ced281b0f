"""Old module paths of the flat layout (0.1), kept importable for one release.

``import planmap_gis.printmap`` (or ``from planmap_gis.matrix import save_matrix``) still works and
warns with a :class:`FutureWarning` naming the new path. The top-level names
(``planmap_gis.atlas``, ``pm.save_matrix`` …) did not move and do not warn. A module that was split
(``facilitators`` into reading and matching) answers for the names of every part.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence

#: Old public module (under ``planmap_gis.``) → the modules that hold its names now.
MOVED: dict[str, tuple[str, ...]] = {
    "assets": ("draw.assets",),
    "boundaries": ("read.boundaries", "read.hierarchy"),
    "change": ("measure.change",),
    "classify": ("draw.classify",),
    "equity": ("measure.equity",),
    "facilitators": ("read.facilitators", "measure.support"),
    "hotspots": ("measure.hotspots",),
    "indicators": ("read.indicators", "measure.strength"),
    "masterplan": ("read.masterplan", "measure.alignment"),
    "matrix": ("draw.matrix", "draw.matrix_book"),
    "metrics": ("measure.metrics",),
    "need": ("measure.need",),
    "printmap": ("draw.printed.atlas",),
    "projects": ("read.projects", "read.projects_out"),
    "sources": ("read.sources",),
    "submissions": ("read.submissions",),
    "tables": ("draw.tables",),
    "villages": ("read.villages",),
    "webmap": ("draw.webmap",),
    "workspace": ("draw.workspace",),
}

PACKAGE = "planmap_gis"


def _warn(old: str, new: Sequence[str], stacklevel: int) -> None:
    where = " and ".join(f"{PACKAGE}.{n}" for n in new)
    warnings.warn(f"{PACKAGE}.{old} moved to {where} (0.2); the old path goes in the next release. "
                  f"The top-level names (planmap_gis.<name>) are unchanged.", FutureWarning,
                  stacklevel=stacklevel)


def alias(old: str) -> types.ModuleType:
    """The module object answering for ``planmap_gis.<old>``: the new module itself when it moved
    whole, else a module whose attributes come from each part in turn."""
    parts = [importlib.import_module(f"{PACKAGE}.{n}") for n in MOVED[old]]
    if len(parts) == 1:
        return parts[0]
    module = types.ModuleType(f"{PACKAGE}.{old}", f"Moved: see {', '.join(p.__name__ for p in parts)}.")

    def __getattr__(name: str) -> object:
        for part in parts:
            if hasattr(part, name):
                return getattr(part, name)
        raise AttributeError(f"module {PACKAGE}.{old!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = lambda: sorted({n for p in parts for n in dir(p)})  # type: ignore[method-assign]
    return module


class _Loader(importlib.abc.Loader):
    def __init__(self, old: str) -> None:
        self.old = old

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        _warn(self.old, MOVED[self.old], stacklevel=8)
        module = alias(self.old)
        self.own_spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamps the alias's spec on the module; a moved module keeps its own.
        if self.own_spec is not None:
            module.__spec__ = self.own_spec
        sys.modules[f"{PACKAGE}.{self.old}"] = module


class _Finder(importlib.abc.MetaPathFinder):
    """Answers ``import planmap_gis.<old>`` for the modules in :data:`MOVED`."""

    def find_spec(self, fullname: str, path: object = None, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, old = fullname.partition(".")
        if prefix != PACKAGE or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(old))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def module_getattr(name: str) -> types.ModuleType:
    """``planmap_gis.<old>`` as an attribute (``import planmap_gis as pm; pm.printmap``)."""
    if name not in MOVED:
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
    _warn(name, MOVED[name], stacklevel=3)
    return alias(name)
