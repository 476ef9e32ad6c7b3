"""Derived copies of the graph kept in the data directory, stamped with the graph version.

The name index and the risk model took most of the API's 72 s start at 1 M persons,
rebuilt at every start from a graph that had not changed. Each is written here after a
build with the graph version it was built from (:meth:`GraphStore.graph_version`, which
loads, resolve and detect change) and read back at the next start when the version is
still the graph's. The files are pickles: the data directory is guanxi's own (it holds
the user database and the secret key too), never a place for files from elsewhere.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
from pathlib import Path
from typing import Any

log = logging.getLogger("guanxi.api")
# Raised when what is kept changes shape (2: the risk model keeps its facts).
_FORMAT = 2


class Persisted:
    """One derived copy (``name``) in ``folder``."""

    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = None if folder is None else Path(folder) / "derived" / f"{name}.pickle"

    def load(self, version: str | None) -> Any | None:
        """The copy built from ``version``, or None (absent, stale or unreadable)."""
        if self.path is None or version is None or not self.path.exists():
            return None
        # The collector paused: unpickling makes millions of objects and sets off
        # collections. The 1 M county's risk model: 1.3 s without them; with them, 1.5 s
        # in the API's process and 3.4 s in a process holding nothing else.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with open(self.path, "rb") as f:
                head = pickle.load(f)
                if head != (_FORMAT, version):
                    return None
                return pickle.load(f)
        except Exception:
            log.warning("derived copy %s unreadable: rebuilding", self.path)
            return None
        finally:
            if collecting:
                gc.enable()

    def save(self, version: str | None, obj: Any) -> None:
        if self.path is None or version is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((_FORMAT, version), f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
