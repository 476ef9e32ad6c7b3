// How nodes and relationships look: colour and caption from the schema, a halo by the
// severity of the findings that concern a node (high red, medium orange, low yellow),
// community colours on demand, emphasis for a path or evidence, dashes for pinned nodes.

import { PALETTE } from "./filters.js";
import { labelName, relName, t } from "./i18n.js";

export const HALO = { high: "#d62828", medium: "#f77f00", low: "#f2c500" };
export const SEV_RANK = { low: 1, medium: 2, high: 3 };

const short = (s, n = 14) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : s || "");

export function nodeStyle(r, look) {
  const hidden = look.hidden;
  if (r.kind === "more") {
    const m = r.more;
    return {
      id: r.id,
      label: t("graph.more", { n: m.count.toLocaleString(), label: labelName(look.schema, m.label) }),
      title: t("panel.more_node", { n: m.count.toLocaleString(), label: labelName(look.schema, m.label) }),
      shape: "box",
      color: { background: "#f1f3f5", border: "#868e96", highlight: { background: "#e9ecef", border: "#495057" } },
      borderWidth: 1,
      shapeProperties: { borderDashes: [4, 3] },
      font: { size: 11, color: "#495057" },
      shadow: { enabled: false },
      hidden,
    };
  }
  const n = r.node;
  const info = look.schema.nodes.get(n.label);
  const base = info?.color || "#adb5bd";
  const group = look.group;
  const fill = group !== undefined ? PALETTE[group % PALETTE.length] : base;
  const sev = look.halo;
  const lit = look.lit;
  const border = sev ? HALO[sev] : lit ? "#1d3557" : "#ffffff";
  return {
    id: r.id,
    label: short(n.caption || n.key || n.label),
    title: `${n.caption || ""}\n${labelName(look.schema, n.label)}${n.key ? ` · ${n.key}` : ""}`,
    shape: n.label === "Finding" ? "triangle" : "dot",
    size: lit ? 19 : n.label === "Finding" ? 11 : 14,
    color: { background: fill, border, highlight: { background: fill, border: sev ? HALO[sev] : "#1d3557" }, hover: { background: fill, border: sev ? HALO[sev] : "#52606d" } },
    borderWidth: sev ? 4 : lit ? 3 : 1.5,
    borderWidthSelected: sev ? 5 : 3,
    shadow: sev ? { enabled: true, color: HALO[sev], size: 18, x: 0, y: 0 } : { enabled: false },
    shapeProperties: { borderDashes: r.pinned ? [3, 3] : false },
    fixed: r.pinned ? { x: true, y: true } : false,
    font: { size: 12, color: "#1f2933", bold: lit, strokeWidth: 3, strokeColor: "#ffffff" },
    hidden,
  };
}

export function edgeStyle(e, look) {
  const hidden = look.hidden;
  if (e.kind === "more") {
    return { id: e.id, from: e.from, to: e.to, dashes: [4, 4], color: { color: "#adb5bd" }, arrows: { to: { enabled: false } }, hidden };
  }
  const r = e.rel;
  const p = r.properties || {};
  const detail = [p.relation, p.role].filter(Boolean).join("·");
  const text = relName(look.schema, r.type) + (detail ? `·${detail}` : "");
  const lit = look.lit;
  const period = p.valid_from || p.valid_to ? `\n${p.valid_from || "…"} – ${p.valid_to || ""}` : "";
  return {
    id: e.id,
    from: e.from,
    to: e.to,
    label: look.edgeLabels || lit ? text : "",
    title: text + period,
    width: lit ? 3.5 : 1,
    color: { color: lit ? "#d62828" : r.type === "CONCERNS" ? "#ff8fa3" : "#9aa5b1", highlight: "#1d3557", hover: "#52606d" },
    dashes: r.type === "CONCERNS",
    font: { size: 10, color: lit ? "#9d0208" : "#52606d", strokeWidth: 3, strokeColor: "#ffffff" },
    hidden,
  };
}
