"""Build city_cases.csv: one city's year of complaints and clues, as its commission
published them: 524 received, 502 accepted, 412 closed, 160 substantiated (查实 or 部分属实),
23,565,200 yuan involved. Deterministic (seeded); run it again and the file is unchanged.

    python tests/data/workflow/build_city_cases.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

OUT = Path(__file__).with_name("city_cases.csv")
COUNTIES = ["430405", "430406", "430407", "430408", "430412", "430421", "430422", "430423"]
RECEIVED, ACCEPTED, CLOSED, SUBSTANTIATED = 524, 502, 412, 160
INVOLVED_FEN = 23_565_200 * 100
KINDS = [
    ("党纪处分", "警告"),
    ("党纪处分", "严重警告"),
    ("党纪处分", "撤销党内职务"),
    ("党纪处分", "留党察看"),
    ("党纪处分", "开除党籍"),
    ("政务处分", "记过"),
    ("诫勉谈话", ""),
    ("批评教育", ""),
    ("移送司法机关", ""),
]


def day(d: dt.date) -> str:
    return d.isoformat()


def main() -> None:
    rng = random.Random(20231231)
    start = dt.date(2023, 1, 1)
    rows = []
    amounts = [rng.randint(5_000, 400_000) * 100 for _ in range(SUBSTANTIATED)]
    scale = INVOLVED_FEN / sum(amounts)
    amounts = [int(a * scale) // 100 * 100 for a in amounts]
    amounts[-1] += INVOLVED_FEN - sum(amounts)
    for n in range(RECEIVED):
        # Received through the year, so that accepting (≤ 7 days) and closing (≤ 4 months)
        # fall inside it; the last months' cases are the ones still open at the year's end.
        received = start + dt.timedelta(days=int(n * 230 / RECEIVED))
        row = {
            "n": n,
            "division_code": COUNTIES[n % len(COUNTIES)],
            "received": day(received),
            "accepted": "",
            "rejected_reason": "",
            "closed": "",
            "outcome": "",
            "amount_involved": "",
            "amount_recovered": "",
            "extension": "",
            "dispositions": "",
        }
        if n < RECEIVED - ACCEPTED:
            row["rejected_reason"] = "不属于纪检监察机关受理范围"
            row["closed"] = day(received + dt.timedelta(days=rng.randint(1, 6)))
            rows.append(row)
            continue
        # A few accepted a day or two late, to give 'accepted on time' something to count.
        accepted = received + dt.timedelta(
            days=rng.randint(1, 9) if n % 25 == 0 else rng.randint(1, 7)
        )
        row["accepted"] = day(accepted)
        k = n - (RECEIVED - ACCEPTED)
        if k < CLOSED:
            extended = k % 9 == 0
            days = rng.randint(20, 110) if not extended else rng.randint(95, 118)
            if k % 31 == 0:
                days = 100  # past three months without extension: closed late
            row["extension"] = "1" if extended else ""
            row["closed"] = day(accepted + dt.timedelta(days=days))
            if k < SUBSTANTIATED:
                row["outcome"] = "查实" if k % 3 else "部分属实"
                row["amount_involved"] = str(amounts[k])
                row["amount_recovered"] = str(amounts[k] * rng.randint(30, 100) // 100 // 100 * 100)
                picks = rng.sample(KINDS, rng.randint(1, 3))
                row["dispositions"] = ";".join(f"{a}:{b}" for a, b in picks)
            else:
                row["outcome"] = "不属实"
        rows.append(row)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
