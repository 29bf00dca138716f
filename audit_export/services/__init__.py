"""audit_export's state changes (rule 1: each writes its change and its audit event together).

One module per register: snapshots and month close, score sheets, findings, samples, evidence
packs, history-import jobs. Each module lists its public service functions in `__all__`; they are
re-exported here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

__all__: list[str] = []


def _export_modules() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module: Any = importlib.import_module(f"{__name__}.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            globals()[name] = getattr(module, name)
            __all__.append(name)


_export_modules()
