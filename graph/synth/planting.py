"""The order in which cases, decoys, the ring and the name-only mentions are planted.

Contract cases go in before the concentration case, which needs every other contract of
its village-year to be known. Every step draws from the county's one generator, so the
order is part of what a seed means: changing it changes the county.
"""

from __future__ import annotations

from graph.synth import mentions, plant_aid, plant_finance, plant_funds, plant_works, ring
from graph.synth.common import County
from graph.synth.plant import Planter


def plant_all(ctx: County) -> None:
    """Plant every case and decoy, the ring and the mentions into the county ``ctx``."""
    planter = Planter(ctx)
    plant_funds.plant(planter)
    plant_works.plant(planter)
    plant_finance.plant(planter)
    plant_aid.plant(planter)
    ring.plant(planter)
    plant_works.concentration(planter)
    mentions.plant(planter)
