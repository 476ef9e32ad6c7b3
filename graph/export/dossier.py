"""The printable one-page dossier of a person or an enterprise (HTML with A4 print CSS).

Everything is in the page: styles inline, the neighbourhood drawn as inline SVG, fonts
from the machine (no web fonts). Values are shown as given, so identifiers appear masked
when the caller masked them; confidential properties are never shown. Long sections are
cut to keep one page, with a line saying how many rows were left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph import schema as sch
from graph.export._subgraph import CONFIDENTIAL, header, primary_label
from graph.export.markup import esc
from graph.export.profile import Profile
from graph.export.svg import neighbourhood_svg

__all__ = ["dossier_html", "yuan"]

_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_STATUS_ZH = {"new": "待核查", "confirmed": "已确认", "dismissed": "已排除"}
_ROLE_ZH = {"HOLDS": "任职", "ROLE_IN": "股东及主要人员", "LEGAL_REP_OF": "法定代表人"}
_HIDDEN = {"src", "warnings", "name_norm", "established_day", "signed_day"}

_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "SimSun", sans-serif; font-size: 9pt; color: #111; margin: 0; }
.page { max-width: 186mm; margin: 0 auto; padding: 6mm 0; }
.marking { text-align: right; color: #9d0208; font-weight: bold; font-size: 9pt; }
h1 { font-size: 15pt; margin: 2mm 0 1mm; }
.sub { color: #555; margin-bottom: 3mm; }
h2 { font-size: 10.5pt; margin: 3mm 0 1mm; border-bottom: 1.5px solid #333; }
section { break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5px solid #999; padding: 0.6mm 1.2mm; text-align: left;
  vertical-align: top; font-size: 8pt; }
th { background: #eef0f2; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
.top { display: flex; gap: 4mm; align-items: flex-start; }
.top .ident { flex: 1; }
.top svg { border: 0.5px solid #999; width: 88mm; height: auto; }
.none { color: #777; }
.more { color: #555; font-size: 7.5pt; }
.sev-high { color: #fff; background: #d62828; padding: 0 1mm; }
.sev-medium { color: #fff; background: #f77f00; padding: 0 1mm; }
.sev-low { background: #e9c46a; padding: 0 1mm; }
footer { margin-top: 3mm; color: #555; font-size: 7.5pt; border-top: 0.5px solid #999; }
@media print { .page { padding: 0; } }
"""


def yuan(fen: Any) -> str:
    """Integer fen as yuan text.

    >>> yuan(9600000), yuan(12350), yuan(None)
    ('96,000.00', '123.50', '')
    """
    if fen is None or fen == "":
        return ""
    f = int(fen)
    whole, cents = divmod(abs(f), 100)
    return f"{'-' if f < 0 else ''}{whole:,}.{cents:02d}"


def dossier_html(
    profile: Profile, *, generated: str = "", marking: str = "内部资料 注意保密"
) -> str:
    """The dossier as one HTML page; ``generated`` (who and when) goes to the footer.

    >>> page = dossier_html(Profile(entity={"labels": ["Person"], "key": "P1",
    ...                                     "properties": {"name": "张三"}}))
    >>> "人员档案" in page and "张三" in page and "://" not in page
    True
    """
    e = profile.entity
    label = profile.label
    nt = sch.NODES.get(label)
    props = _visible(e.get("properties") or {})
    caption = str(props.get(nt.caption) if nt and props.get(nt.caption) else _key(e))
    kind = nt.zh if nt else label
    body = [
        f'<div class="marking">{esc(marking)}</div>',
        f"<h1>{esc(kind)}档案 · {esc(caption)}</h1>",
        f'<div class="sub">{esc(label)} dossier · {esc(header(label, nt.key) if nt else "key")}：'
        f"{esc(_key(e))}</div>",
        '<section class="top"><div class="ident"><h2>基本信息 Identity</h2>',
        _kv(label, props),
        "</div>",
        neighbourhood_svg(profile.neighbourhood, e),
        "</section>",
    ]
    if label == "Person" or profile.household or profile.members:
        body.append(_household(profile))
    body.append(_assets(profile))
    body.append(_roles(profile))
    if label != "Enterprise" or profile.disbursements:
        body.append(_disbursements(profile))
    if label != "Person" or profile.contracts or profile.payments:
        body.append(_contracts(profile))
    if profile.student_aid:
        body.append(_student_aid(profile))
    body.append(_findings(profile))
    note = "本档案由 guanxi 依据登记数据自动生成；疑点为线索，须经核实。"
    body.append(f"<footer>{esc(note)} {esc(generated)}</footer>")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(kind)}档案 {esc(caption)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f'<body>\n<div class="page">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n"
    )


def _visible(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in CONFIDENTIAL and k not in _HIDDEN}


def _value(label: str, name: str, v: Any) -> str:
    owner = sch.NODES.get(label) or sch.RELATIONSHIPS.get(label)
    ptype = next((p.type for p in owner.props if p.name == name), None) if owner else None
    if ptype is sch.PropType.MONEY:
        return yuan(v) + " 元"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "、".join(map(str, v))
    return "" if v is None else str(v)


def _kv(label: str, props: Mapping[str, Any]) -> str:
    rows = [
        f"<tr><th>{esc(header(label, k).replace('(分)', ''))}</th>"
        f"<td>{esc(_value(label, k, v))}</td></tr>"
        for k, v in props.items()
    ]
    return f"<table>{''.join(rows)}</table>" if rows else '<p class="none">无</p>'


def _table(
    title: str, head: Sequence[str], rows: Sequence[Sequence[Any]], *, cap: int, num: set[int]
) -> str:
    out = [f"<section><h2>{esc(title)}</h2>"]
    if not rows:
        out.append('<p class="none">无 None found</p></section>')
        return "".join(out)
    ths = "".join(
        f'<th class="num">{esc(h)}</th>' if i in num else f"<th>{esc(h)}</th>"
        for i, h in enumerate(head)
    )
    out.append(f"<table><tr>{ths}</tr>")
    for row in rows[:cap]:
        tds = "".join(
            f'<td class="num">{esc(c)}</td>' if i in num else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        out.append(f"<tr>{tds}</tr>")
    out.append("</table>")
    if len(rows) > cap:
        out.append(f'<div class="more">另有 {len(rows) - cap} 条未列出 ({len(rows)} in all)</div>')
    out.append("</section>")
    return "".join(out)


def _p(node: Mapping[str, Any], name: str) -> Any:
    return (node.get("properties") or {}).get(name)


def _key(node: Mapping[str, Any]) -> Any:
    """The key as a reader should see it: the key property, which the API masks for roles
    that may not read it (``430422********123X``), rather than the node's key, which it
    replaces by an opaque ref so that relationships still join up."""
    nt = sch.NODES.get(primary_label(node.get("labels") or ()))
    shown = _p(node, nt.key) if nt else None
    return shown if shown not in (None, "") else node.get("key")


def _caption(node: Mapping[str, Any]) -> str:
    nt = sch.NODES.get(primary_label(node.get("labels") or ()))
    v = _p(node, nt.caption) if nt else None
    return str(v) if v not in (None, "") else str(_key(node))


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(
        a.get("key") == b.get("key")
        and primary_label(a.get("labels") or ()) == primary_label(b.get("labels") or ())
    )


def _term(a: Any, b: Any) -> str:
    return f"{a or '?'} 至 {b or '今'}" if a or b else ""


def _household(p: Profile) -> str:
    h = p.household
    title = "户籍及家庭成员 Household"
    if h is not None:
        title += f"（户号 {_key(h)}"
        addr = _p(h, "address")
        title += f"，{addr}）" if addr else "）"
    rows = [
        [
            _p(m.person, "name") or "",
            m.relation or "",
            _key(m.person),
            _p(m.person, "gender") or "",
            _p(m.person, "birth_date") or "",
            _p(m.person, "death_date") or "",
        ]
        for m in p.members
    ]
    head = ["姓名", "与户主关系", "公民身份号码", "性别", "出生日期", "死亡日期"]
    return _table(title, head, rows, cap=10, num=set())


def _assets(p: Profile) -> str:
    rows = []
    for h in p.assets:
        a = h.asset
        lbl = primary_label(a.get("labels") or ())
        if lbl == "Vehicle":
            what = " ".join(str(x) for x in (_p(a, "vehicle_type"), _p(a, "brand")) if x)
        else:
            area = _p(a, "area_m2")
            what = " ".join(
                str(x)
                for x in (_p(a, "address"), _p(a, "usage"), f"{area}㎡" if area else None)
                if x
            )
        owner = _caption(h.owner) + ("（共有）" if h.co_owner else "")
        rows.append(
            [
                sch.NODES[lbl].zh if lbl in sch.NODES else lbl,
                _key(a),
                what,
                owner,
                _term(h.valid_from, h.valid_to),
            ]
        )
    head = ["类型", "号牌/证号", "情况", "所有人", "持有期间"]
    return _table("资产 Assets（本人及同户成员）", head, rows, cap=12, num=set())


def _roles(p: Profile) -> str:
    rows = []
    for r in p.roles:
        if not _same(r.holder, p.entity):  # an enterprise's dossier lists the people
            what = _caption(r.holder)
        elif r.type == "HOLDS":
            parts = (_p(r.target, "organisation"), _p(r.target, "position"))
            what = " ".join(str(x) for x in parts if x) or _caption(r.target)
        else:
            what = _caption(r.target)
        share = f"{float(r.share_ratio) * 100:g}%" if r.share_ratio is not None else ""
        rows.append(
            [
                _ROLE_ZH.get(r.type, r.type),
                what,
                r.role or _ROLE_ZH.get(r.type, ""),
                share,
                _term(r.valid_from, r.valid_to),
            ]
        )
    title = "任职及企业关系 Posts and roles"
    if p.label == "Enterprise":
        title = "股东、主要人员及法定代表人 People in the enterprise"
    return _table(title, ["类别", "对象", "角色", "持股", "任期"], rows, cap=12, num={3})


def _disbursements(p: Profile) -> str:
    rows: list[list[Any]] = [
        [
            d.program or d.program_code,
            d.year,
            _span(d.first_period, d.last_period),
            d.count,
            yuan(d.total_fen),
        ]
        for d in p.disbursements
    ]
    if rows:
        total = sum(d.total_fen for d in p.disbursements)
        rows.append(["合计 Total", "", "", sum(d.count for d in p.disbursements), yuan(total)])
    head = ["项目", "年度", "期间", "笔数", "金额（元）"]
    return _table("领取民生资金 Payments received", head, rows, cap=13, num={3, 4})


def _student_aid(p: Profile) -> str:
    """The one-key view of a student: every policy and amount by school year, and what
    the household register says that year beside the category."""
    rows: list[list[Any]] = []
    for a in p.student_aid:
        status = [f"建档立卡：{'、'.join(a.poverty)}" if a.poverty else "不在建档立卡名单"]
        status.append(f"领取{'、'.join(a.support)}" if a.support else "当年未领低保或特困")
        if a.certified:
            status.append("持有效残疾人证")
        rows.append(
            [
                a.year,
                "、".join(a.schools),
                a.category or "",
                "、".join(a.policies),
                yuan(a.amount_fen),
                "；".join(status),
            ]
        )
    head = ["学年", "学校", "资助类别", "享受政策", "金额（元）", "家庭当年状况"]
    return _table("教育资助 Student aid by school year", head, rows, cap=8, num={4})


def _span(a: str, b: str) -> str:
    return a if a == b else f"{a} 至 {b}"


def _contracts(p: Profile) -> str:
    rows = [
        [
            _key(c.contract),
            _p(c.contract, "project_name") or "",
            c.role,
            _p(c.contract, "signed") or "",
            yuan(_p(c.contract, "amount")),
            yuan(c.paid_fen),
        ]
        for c in p.contracts
    ]
    out = _table(
        "项目合同 Contracts",
        ["合同编号", "项目名称", "角色", "签订日期", "合同金额（元）", "已支付（元）"],
        rows,
        cap=10,
        num={4, 5},
    )
    pays = [
        [_key(n), _p(n, "paid_date") or "", yuan(_p(n, "amount")), _p(n, "purpose") or ""]
        for n in p.payments
    ]
    if pays or p.label != "Person":
        out += _table(
            "收款凭证 Vouchers paid to it",
            ["凭证号", "支付日期", "金额（元）", "用途"],
            pays,
            cap=10,
            num={2},
        )
    return out


def _findings(p: Profile) -> str:
    out = ["<section><h2>疑点 Findings</h2>"]
    if not p.findings:
        out.append('<p class="none">无 None</p></section>')
        return "".join(out)
    for f in p.findings[:8]:
        sev = _SEVERITY_ZH.get(f.severity, f.severity)
        status = _STATUS_ZH.get(f.status or "", f.status or "")
        out.append(
            f'<p><span class="sev-{esc(f.severity)}">{esc(sev)}</span> '
            f"<b>{esc(f.title)}</b> {esc(status)}<br>{esc(f.explanation)}</p>"
        )
    if len(p.findings) > 8:
        out.append(f'<div class="more">另有 {len(p.findings) - 8} 条疑点未列出</div>')
    out.append("</section>")
    return "".join(out)
