"""The in-process name index behind search's prefix, pinyin and infix matches."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from api.services.names import NameIndex

_CHARS = "张王李赵三丰伟芳明"


def test_prefix_gives_the_shortest_completions_first() -> None:
    idx = NameIndex()
    idx.add_names(["张三丰", "张伟", "张三", "李四", "张", "张伟明"])
    assert idx.prefix("张") == ["张", "张三", "张伟", "张三丰", "张伟明"]
    assert idx.prefix("张", limit=2) == ["张", "张三"]
    assert idx.prefix("张三") == ["张三", "张三丰"]
    assert idx.prefix("赵") == []


@given(
    st.lists(st.text(alphabet=_CHARS, min_size=1, max_size=4), max_size=60),
    st.text(alphabet=_CHARS, min_size=1, max_size=2),
    st.integers(min_value=1, max_value=80),
)
def test_prefix_matches_a_sort_of_every_completion(names: list[str], q: str, limit: int) -> None:
    idx = NameIndex()
    shuffled = list(names)
    random.Random(0).shuffle(shuffled)
    idx.add_names(shuffled)
    expected = sorted({n for n in names if n.startswith(q)}, key=lambda n: (len(n), n))
    assert idx.prefix(q, limit=limit) == expected[:limit]
