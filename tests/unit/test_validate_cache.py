"""The parse caches keep values that recur (a recipient every month), not a register's
own key, which is new on every row and would push the recurring values out."""

from __future__ import annotations

from typing import Any

from graph.loaders import validate
from graph.loaders.read import map_header
from graph.loaders.registers import REGISTERS, Kind
from graph.loaders.validate import Record, validate_row

# Valid 18-character numbers (check characters computed by graph.ids).
IDS = ("430422195001011119", "430422195001011135", "430422195001011151")


def _cache(kind: Kind) -> Any:
    """The LRU cache of one kind's parses (``cache_info``, ``cache_clear``)."""
    return validate._CLEAN[kind]


def test_a_registers_own_key_is_parsed_without_the_cache() -> None:
    reg = REGISTERS["deaths"]
    hmap = map_header(reg, ["id_number", "name", "death_date"])
    cached_ids, cached_dates = _cache(Kind.RESIDENT_ID), _cache(Kind.DATE)
    cached_ids.cache_clear()
    cached_dates.cache_clear()
    for row, number in enumerate(IDS, start=2):
        rec = validate_row(reg, hmap, row, [number, "王老汉", "2023-03-01"])
        assert isinstance(rec, Record)
        assert rec["id_number"] == number
    assert cached_ids.cache_info().currsize == 0  # the key: parsed each time, not kept
    assert cached_dates.cache_info().hits == 2  # the same day on three rows: parsed once


def test_a_key_of_several_columns_is_cached_as_any_value() -> None:
    reg = REGISTERS["officials"]
    assert len(reg.key) > 1
    head = [c.name for c in reg.columns]
    cells = dict.fromkeys(head, "") | {
        "id_number": IDS[0],
        "name": "李四",
        "organisation": "车江镇",
    }
    cached_ids = _cache(Kind.RESIDENT_ID)
    cached_ids.cache_clear()
    validate_row(reg, map_header(reg, head), 2, [cells[c] for c in head])
    assert cached_ids.cache_info().currsize == 1
