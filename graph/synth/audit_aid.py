"""The file-level audit of education aid: category against the household, aid twice,
ineligible students, 雨露计划 outside vocational schools, and household assets
(patterns 26-30). A school year ``2024-2025`` is judged by its first calendar year."""

from __future__ import annotations

from collections import defaultdict

from graph import ids
from graph.synth.audit_common import Findings, Frames, date, holders, params, vehicles

# The usual age of each grade on 1 September, as the ineligible-student rule reads it.
USUAL_AGE = {
    **{g: a for a, g in enumerate(("小班", "中班", "大班"), 3)},
    **{g: a for a, g in enumerate(("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"), 6)},
    **{g: a for a, g in enumerate(("初一", "初二", "初三"), 12)},
    **{g: a for a, g in enumerate(("七年级", "八年级", "九年级"), 12)},
    **{g: a for a, g in enumerate(("高一", "高二", "高三"), 15)},
    **{g: a for a, g in enumerate(("中职一年级", "中职二年级", "中职三年级"), 15)},
}
# Categories whose claim rests on a register: the programme kind paid to the household
# that year, the poverty register, or a disability certificate.
BY_PAYMENT = {"农村低保家庭学生": "subsistence", "农村特困救助供养学生": "extreme_poverty"}
REGISTERED_POOR, DISABLED = "建档立卡经济困难学生", "家庭经济困难残疾学生"


def aid(f: Findings, r: Frames, hh_of: dict[str, str], as_of: str) -> None:
    s = r["students"]
    rows = [
        row
        for row in zip(
            s["id_number"],
            s["school"],
            s["grade"],
            s["category"],
            s["policies"],
            s["year"],
            s["school_type"],
            strict=True,
        )
        if row[5] and row[5][:4] <= as_of[:4]
    ]
    _category(f, r, rows, hh_of)
    _duplicate(f, rows)
    _ineligible(f, r, rows, as_of)
    _yulu(f, r, rows, as_of)
    _assets(f, r, rows, hh_of, as_of)


Row = tuple[str, str, str, str, str, str, str]


def _policies(cell: str) -> set[str]:
    return {c.strip() for c in cell.split(";") if c.strip()}


def _category(f: Findings, r: Frames, rows: list[Row], hh_of: dict[str, str]) -> None:
    kind = dict(zip(r["programs"]["program_code"], r["programs"]["kind"], strict=True))
    d = r["disbursements"]
    paid: set[tuple[str, str, str]] = set()  # (household, programme kind, year)
    for pid, code, period in zip(
        d["recipient_id_number"], d["program_code"], d["period"], strict=True
    ):
        if pid in hh_of:
            paid.add((hh_of[pid], kind.get(code, ""), period[:4]))
    ph = r["poverty_households"]
    poor = set(zip(ph["household_id"], ph["year"], strict=True))
    c = r["disability_certificates"]
    certs = defaultdict(list)
    for pid, issued, revoked in zip(c["id_number"], c["issued"], c["revoked"], strict=True):
        certs[pid].append((date(issued), date(revoked)))
    for pid, _, _, category, _, year, _ in rows:
        h, y = hh_of.get(pid), year[:4]
        if h is None:
            continue  # the rule reads the student's household in the register
        if category in BY_PAYMENT:
            wrong = (h, BY_PAYMENT[category], y) not in paid
        elif category == REGISTERED_POOR:
            wrong = (h, y) not in poor
        elif category == DISABLED:
            wrong = not any(
                (not a or a <= f"{y}-12-31") and (not b or b >= f"{y}-01-01") for a, b in certs[pid]
            )
        else:
            continue
        if wrong:
            f["aid_category_mismatch"].add(frozenset({pid, h}))


def _duplicate(f: Findings, rows: list[Row]) -> None:
    # One policy twice in one school year: on two roster rows, at one school or two.
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for pid, _, _, _, policies, year, _ in rows:
        for code in _policies(policies):
            seen[(pid, year, code)] += 1
    for (pid, _, code), n in seen.items():
        if n > 1:
            f["duplicate_student_aid"].add(frozenset({pid, code}))


def _ineligible(f: Findings, r: Frames, rows: list[Row], as_of: str) -> None:
    tolerance = params("ineligible_student", as_of)["tolerance"]
    p = r["persons"]
    born = {
        pid: date(b) or ids.parse_resident_id(pid).birth_date.isoformat()
        for pid, b in zip(p["id_number"], p["birth_date"], strict=True)
    }
    dead = {
        pid: date(x)
        for pid, x in zip(r["deaths"]["id_number"], r["deaths"]["death_date"], strict=True)
    }
    for pid, _, grade, _, _, year, _ in rows:
        start = f"{year[:4]}-09-01"
        birth = born.get(pid) or ids.parse_resident_id(pid).birth_date.isoformat()
        age = int(start[:4]) - int(birth[:4]) - (1 if birth[5:] > start[5:] else 0)
        if (
            pid not in born
            or (pid in dead and dead[pid] < start)
            or (grade in USUAL_AGE and age > USUAL_AGE[grade] + tolerance)
        ):
            f["ineligible_student"].add(frozenset({pid}))


def _yulu(f: Findings, r: Frames, rows: list[Row], as_of: str) -> None:
    q = params("yulu_not_vocational", as_of)
    codes = {
        c
        for c, name in zip(r["programs"]["program_code"], r["programs"]["name"], strict=True)
        if any(w in name for w in q["program_words"])
    }
    for pid, school, _, _, policies, _, school_type in rows:
        if school_type:
            outside = school_type not in q["vocational_types"]
        else:
            outside = not any(w in school for w in q["vocational_words"])
        for code in _policies(policies) & codes:
            if outside:
                f["yulu_not_vocational"].add(frozenset({pid, code}))


def _assets(f: Findings, r: Frames, rows: list[Row], hh_of: dict[str, str], as_of: str) -> None:
    q = params("aid_household_assets", as_of)
    held: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # person -> (key, from, to)
    for plate, owner, vt, status, a, b in vehicles(r["vehicles"]):
        if not any(t in vt for t in q["excluded_types"]) and status not in ("注销", "报废"):
            held[owner].append((plate, a, b))
    for cert, who, usage, a in holders(r["properties"]):
        if usage in q["usages"]:
            held[who].append((cert, a, ""))
    e = r["enterprises"]
    live = {
        u: (date(a), date(b))
        for u, a, b in zip(e["uscc"], e["established"], e["deregistered"], strict=True)
    }
    roles: list[tuple[str, str, str, str]] = [
        (rep, u, "", "") for u, rep in zip(e["uscc"], e["legal_rep_id_number"], strict=True)
    ]
    ro = r["enterprise_roles"]
    for u, pid, role, a, b in zip(
        ro["uscc"], ro["person_id_number"], ro["role"], ro["start"], ro["end"], strict=True
    ):
        if role == "法定代表人" or role in q["roles"]:
            roles.append((pid, u, date(a), date(b)))
    for pid, u, a, b in roles:
        if pid:
            est, gone = live.get(u, ("", ""))
            # The role counts only while the enterprise was live: clip it to those dates.
            held[pid].append((u, max(a, est), min(b or "9999", gone or "9999")))
    members: dict[str, list[str]] = defaultdict(list)
    for pid, h in hh_of.items():
        members[h].append(pid)
    for pid, _, _, category, _, year, _ in rows:
        if category in q["exempt_categories"] or pid not in hh_of:
            continue
        y0, y1 = f"{year[:4]}-09-01", f"{int(year[:4]) + 1}-08-31"
        for m in members[hh_of[pid]]:
            keys = {k for k, a, b in held.get(m, ()) if (not a or a <= y1) and (not b or b >= y0)}
            if keys:  # the student is a member of the household too
                f["aid_household_assets"].add(frozenset({pid, m, *keys}))
