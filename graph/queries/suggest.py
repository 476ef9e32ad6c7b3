"""What a complaint's text is about: names of the division's villages, works projects,
persons and enterprises found in it, and a category by keywords.

The names come from the graph, within one division; they are matched in one pass over
the text with an Aho-Corasick automaton (``pyahocorasick``), keeping the longest match
where names overlap (``东风村饮水工程`` is the project, not the village inside it).

>>> d = Dictionary([("东风村", ("Division", "1")), ("东风村饮水工程", ("Contract", "C1")),
...                 ("李四", ("Person", "p"))])
>>> [(m.text, m.targets) for m in d.find("反映东风村饮水工程被李四承包")]
[('东风村饮水工程', [('Contract', 'C1')]), ('李四', [('Person', 'p')])]
>>> category("村里低保名额给了村干部亲戚")
'低保/特困'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from graph.store import GraphStore

__all__ = ["CATEGORIES", "Dictionary", "Match", "category", "names_in_division"]

# Category -> keywords, in order of precedence when the counts tie.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "低保/特困": (
        "低保",
        "特困",
        "五保",
        "救助",
        "低收入",
        "困难户",
        "残疾人补贴",
        "养老金",
        "救济",
    ),
    "工程项目": (
        "工程",
        "项目",
        "施工",
        "打井",
        "水井",
        "修路",
        "道路",
        "合同",
        "招标",
        "承包",
        "验收",
        "饮水",
        "水利",
        "建设",
    ),
    "村级财务": (
        "村账",
        "账目",
        "财务",
        "集体资金",
        "集体收入",
        "报销",
        "白条",
        "挪用",
        "侵占",
        "村级",
        "凭证",
        "未入账",
        "坐支",
        "公款",
    ),
    "教育资助": ("助学", "资助", "学生", "学费", "营养餐", "学校", "贫困生", "奖学金"),
}
OTHER = "其他"
MIN_NAME = 2  # a one-character "name" matches everywhere in Chinese text


def category(text: str) -> str:
    """The category whose keywords occur most often in ``text``; 其他 when none does."""
    counts = {c: sum(text.count(k) for k in kws) for c, kws in CATEGORIES.items()}
    best = max(counts.values(), default=0)
    if best == 0:
        return OTHER
    return next(c for c, n in counts.items() if n == best)


@dataclass(frozen=True)
class Match:
    start: int
    end: int  # exclusive
    text: str
    targets: list[tuple[str, str]]  # (label, key) of every node bearing this name


class Dictionary:
    """Names (each naming one or more nodes) matched in one pass over a text."""

    def __init__(self, entries: Iterable[tuple[str, tuple[str, str]]]) -> None:
        by_name: dict[str, list[tuple[str, str]]] = {}
        for name, target in entries:
            name = (name or "").strip()
            if len(name) >= MIN_NAME:
                by_name.setdefault(name, [])
                if target not in by_name[name]:
                    by_name[name].append(target)
        self.size = len(by_name)
        self._auto: Any = ahocorasick.Automaton()
        for name, targets in by_name.items():
            self._auto.add_word(name, (name, targets))
        if by_name:
            self._auto.make_automaton()

    def find(self, text: str) -> list[Match]:
        """Longest, leftmost, non-overlapping matches, in text order."""
        if self.size == 0 or not text:
            return []
        found = [
            Match(end - len(name) + 1, end + 1, name, list(targets))
            for end, (name, targets) in self._auto.iter(text)
        ]
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: list[Match] = []
        for m in found:
            if all(m.end <= t.start or m.start >= t.end for t in taken):
                taken.append(m)
        return sorted(taken, key=lambda m: m.start)


_QUERIES = (
    (
        "Division",
        "MATCH (n:Division) WHERE n.code STARTS WITH $d RETURN n.name AS name, n.code AS key",
    ),
    (
        "Contract",
        "MATCH (n:Contract) WHERE n.village_code STARTS WITH $d "
        "RETURN n.project_name AS name, n.contract_id AS key",
    ),
    (
        "Person",
        "MATCH (n:Person) WHERE n.village_code STARTS WITH $d "
        "RETURN n.name AS name, n.id_number AS key",
    ),
    (
        "Enterprise",
        "MATCH (c:Contract)-[:AWARDED_TO]->(n:Enterprise) WHERE c.village_code STARTS WITH $d "
        "RETURN DISTINCT n.name AS name, n.uscc AS key "
        "UNION MATCH (p:Person)-[:LEGAL_REP_OF|ROLE_IN]->(n:Enterprise) "
        "WHERE p.village_code STARTS WITH $d RETURN DISTINCT n.name AS name, n.uscc AS key",
    ),
)


def names_in_division(store: GraphStore, division: str) -> list[tuple[str, tuple[str, str]]]:
    """``(name, (label, key))`` of the villages, works projects, persons and enterprises in a
    division (enterprises: contractors of its works and enterprises its residents lead)."""
    out: list[tuple[str, tuple[str, str]]] = []
    for label, q in _QUERIES:
        for r in store.read(q, {"d": division}):
            if r["name"] and r["key"] is not None:
                out.append((str(r["name"]), (label, str(r["key"]))))
    return out
