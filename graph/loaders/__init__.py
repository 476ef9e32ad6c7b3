"""Load the registers of a data folder into the graph (``guanxi load DIR``).

>>> from graph.loaders import load_folder, REGISTERS
>>> list(REGISTERS)[:3]
['divisions', 'persons', 'deaths']

``load_folder(store, folder)`` reads every register of ``docs/data-contract.md`` found in
``folder``, rejects bad rows with reasons into ``folder/_load/rejects.csv``, flags
warnings on the loaded entities (and lists them in ``warnings.csv``), writes
``load_report.json`` and returns a :class:`LoadReport` whose ``render()`` is the summary.
"""

from __future__ import annotations

from graph.loaders.pipeline import load_folder, load_register
from graph.loaders.registers import REGISTERS, Column, Kind, Register
from graph.loaders.report import LoadReport, RegisterReport

__all__ = [
    "REGISTERS",
    "Column",
    "Kind",
    "LoadReport",
    "Register",
    "RegisterReport",
    "load_folder",
    "load_register",
]
