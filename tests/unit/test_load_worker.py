"""The forked worker a big register is validated (and, for some, built) in: what it makes
comes back in order, and its errors are raised here as what they were."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.errors import GuanxiError, LoadError, SchemaError
from graph.loaders.stream import in_worker


def test_items_come_back_in_order() -> None:
    def produce() -> Iterator[list[int]]:
        for i in range(50):
            yield list(range(i, i + 3))

    assert list(in_worker(produce)) == [list(range(i, i + 3)) for i in range(50)]


def test_a_load_error_is_raised_as_one_after_the_items_before_it() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise LoadError("persons", 7, "id_number", "the file ends inside a quoted field")

    got: list[int] = []
    with pytest.raises(LoadError) as info:
        got.extend(in_worker(produce))
    assert got == [1]
    assert (info.value.register, info.value.row, info.value.column) == ("persons", 7, "id_number")


def test_guanxi_errors_keep_their_type() -> None:
    def produce() -> Iterator[int]:
        raise SchemaError("LIVES_IN cannot go from Person to Division")
        yield 0

    with pytest.raises(SchemaError, match="cannot go from Person"):
        list(in_worker(produce))


def test_a_bug_comes_back_with_the_workers_traceback() -> None:
    def produce() -> Iterator[int]:
        empty: dict[str, int] = {}
        yield empty["missing"]

    with pytest.raises(GuanxiError, match=r"loading worker failed:(.|\n)*KeyError: 'missing'"):
        list(in_worker(produce))
