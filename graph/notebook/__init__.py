"""The Python entry point for analysts: ``from graph import Guanxi``.

:class:`Guanxi` wraps a store with the steps a notebook takes (synthesise, load, query,
detect, findings, subgraphs, paths, communities, drawing); :mod:`graph.notebook.frames`
turns results into DataFrames and :mod:`graph.notebook.graphs` into networkx graphs and
inline pages.
"""

from graph.notebook.facade import EngineComparison, Guanxi, neo4j_configured

__all__ = ["EngineComparison", "Guanxi", "neo4j_configured"]
