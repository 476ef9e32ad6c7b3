"""guanxi: a graph of public-money registers, and the patterns that find petty corruption in it.

``from graph import Guanxi`` is the entry point for notebooks (:mod:`graph.notebook`); it
is imported on first use, so the command line and the loaders do not pay for pandas,
igraph and networkx when they do not need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.notebook import Guanxi

__version__ = "0.1.0"
__all__ = ["Guanxi", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Guanxi":
        from graph.notebook import Guanxi

        return Guanxi
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
