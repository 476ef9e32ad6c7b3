"""The name index and the risk model are kept with the graph (api.services.persisted): a
second start reads them back instead of rebuilding, and a load, resolve or detect (a new
graph version) makes the kept copies stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from api.services.names import NameIndex
from api.services.persisted import Persisted
from api.services.riskmodel import RiskModel
from graph.loaders import load_folder
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore
from tests.shapes import MakeCounty


@pytest.fixture
def store(
    embedded_server: EmbeddedEngine, synthetic_county: MakeCounty, tmp_path: Path
) -> Iterator[FalkorStore]:
    st = FalkorStore(embedded_server, "persisted")
    st.stamp_dir = tmp_path / "data"
    st.clear()
    st.ensure_schema()
    folder, _ = synthetic_county(2000, 7)
    load_folder(st, folder)
    yield st
    st.close()


def test_a_second_start_reads_the_copies_and_a_load_makes_them_stale(
    store: FalkorStore, tmp_path: Path, synthetic_county: MakeCounty
) -> None:
    data = tmp_path / "data"
    assert store.graph_version() is not None  # the load stamped the graph
    names_cache, risk_cache = Persisted(data, "name-index"), Persisted(data, "risk-model")
    first_names, first_risk = NameIndex(), RiskModel()
    first_names.build(store, names_cache)
    first_risk.build(store, risk_cache)
    assert (first_names.source, first_risk.source) == ("built", "built")

    again_names, again_risk = NameIndex(), RiskModel()
    again_names.build(store, names_cache)
    again_risk.build(store, risk_cache)
    assert (again_names.source, again_risk.source) == ("persisted", "persisted")
    assert again_names.lookup("zs") == first_names.lookup("zs")
    assert len(again_names) == len(first_names) > 0
    assert first_risk.model is not None
    assert again_risk.model is not None
    assert (again_risk.model.membership == first_risk.model.membership).all()
    assert [c.id for c in again_risk.model.ranked] == [c.id for c in first_risk.model.ranked]

    folder, _ = synthetic_county(2000, 7)
    load_folder(store, folder)  # a load (even of the same data) is a new version
    after_names, after_risk = NameIndex(), RiskModel()
    after_names.build(store, names_cache)
    after_risk.build(store, risk_cache)
    assert (after_names.source, after_risk.source) == ("built", "built")
    assert np.array_equal(after_risk.model.membership, first_risk.model.membership)  # type: ignore[union-attr]
