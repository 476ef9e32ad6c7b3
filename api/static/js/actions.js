// What investigators do to the graph, through the API: open and expand entities, page
// through "+N more", open findings with their evidence and triage them, find how two
// entities are connected, open communities, and export.

import { api } from "./api.js";
import { exportHtml, exportOnScreen, exportPng, exportViaApi, openDossier } from "./exporting.js";
import { relId } from "./graph.js";
import { t } from "./i18n.js";
import { $, banner, fail, setStatus, state, switchView } from "./ui.js";

let entityToken = 0;

export async function showEntity(ref) {
  const token = ++entityToken;
  state.panel.loading();
  try {
    const detail = await api.entity(ref);
    if (token !== entityToken) return;
    state.graph.noteSeverity(ref, detail.findings);
    state.panel.entity(detail);
    setContext({ kind: "entity", id: ref });
  } catch (err) {
    if (token === entityToken) fail(err, { inPanel: true });
  }
}

export function setContext(ctx) {
  state.context = ctx;
  const hash = `#${ctx.kind}=${encodeURIComponent(ctx.id)}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

/** A search result: the node, its neighbourhood, and its details in the panel. */
export async function openNode(node) {
  switchView("graph");
  state.graph.addSubgraph({ nodes: [node], relationships: [] }, { name: "open" });
  await expand(node.ref);
  state.graph.focus(node.ref);
  showEntity(node.ref);
}

export async function expand(ref) {
  const graph = state.graph;
  const types = $("#expand-types").value;
  const limit = Math.max(1, Math.min(1000, Number($("#expand-limit").value) || 60));
  setStatus("graph.stabilising");
  try {
    const res = await api.neighbours(ref, { types, limit });
    const more = res.more || {};
    const added = graph.addSubgraph(res, { name: "expand", anchor: ref, more, moreLabels: types ? Object.keys(more) : null });
    const caption = graph.node(ref)?.caption || "";
    setStatus(added ? "graph.expanded" : "graph.nothing_new", { caption, n: added });
  } catch (err) {
    setStatus("");
    fail(err, { inPanel: true });
  }
}

/** The next page of a "+N more" pseudo-node: that label's neighbours over the link types
 * that reach it, skipping those already on screen. */
export async function loadMore(m) {
  const graph = state.graph;
  const parent = graph.node(m.parent);
  if (!parent) return;
  state.panel.more(m);
  const types = [...state.schema.rels.values()]
    .filter(
      (r) =>
        (r.sources.includes(parent.label) && r.targets.includes(m.label)) ||
        (r.targets.includes(parent.label) && r.sources.includes(m.label)),
    )
    .map((r) => r.type)
    .join(",");
  const page = Math.max(1, Number($("#expand-limit").value) || 60);
  // The next page after those on screen, however many thousands the supernode has.
  const have = graph.neighboursWithLabel(m.parent, m.label);
  try {
    const res = await api.neighbours(m.parent, { types, labels: m.label, offset: have, limit: Math.min(1000, page + 1) });
    const left = { [m.label]: res.more?.[m.label] || 0 };
    const added = graph.addSubgraph(res, { name: "more", anchor: m.parent, more: left, moreLabels: [m.label] });
    setStatus("graph.expanded", { caption: parent.caption, n: added });
  } catch (err) {
    fail(err, { inPanel: true });
  }
}

export async function openFinding(ref) {
  state.panel.loading();
  try {
    const f = await api.finding(ref);
    state.panel.finding(f);
    setContext({ kind: "finding", id: f.ref });
    state.context.findingId = f.finding_id;
    showEvidence(f);
  } catch (err) {
    fail(err, { inPanel: true });
  }
}

/** A finding's evidence on the canvas, with the finding itself linked to what it concerns. */
export function showEvidence(f) {
  const graph = state.graph;
  const ev = f.evidence || { nodes: [], relationships: [] };
  const fnode = {
    ref: f.ref,
    label: "Finding",
    key: f.finding_id,
    caption: f.title,
    properties: { finding_id: f.finding_id, pattern: f.pattern, severity: f.severity, status: f.status, title: f.title, score: f.score },
    masked: [],
    withheld: [],
  };
  const evIds = new Set(ev.nodes.map((n) => n.ref));
  const concerns = f.concerns || [];
  const links = concerns.map((n) => ({ type: "CONCERNS", start: f.ref, end: n.ref, properties: {} }));
  const sub = { nodes: [fnode, ...ev.nodes, ...concerns], relationships: [...ev.relationships, ...links] };
  graph.addSubgraph(sub, { name: "evidence", anchor: graph.recs.has(f.ref) ? f.ref : null });
  graph.highlight([f.ref, ...ev.nodes.map((n) => n.ref)], ev.relationships.map(relId));
  graph.fitTo([f.ref, ...evIds]);
}

export async function triage(ref, status, note) {
  const out = await api.triage(ref, status, note);
  const rec = state.graph.recs.get(ref);
  if (rec?.node) rec.node.properties = { ...rec.node.properties, status: out.status, note: out.note };
  const f = await api.finding(ref);
  state.panel.finding(f);
  state.graph.changed();
  setStatus("finding.saved", { status: () => t(`status.${out.status}`) });
  return out;
}

export async function findPaths() {
  const graph = state.graph;
  const sel = graph.selection();
  if (sel.length !== 2) {
    banner(t("toolbar.paths"), t("graph.select_two"));
    return;
  }
  const [a, b] = sel.map((id) => graph.node(id));
  state.panel.loading();
  setStatus("paths.searching");
  const maxHops = 4;
  try {
    const res = await api.paths(a.ref, b.ref, { maxHops, k: 3 });
    for (const p of res.paths) graph.addSubgraph(p, { name: "paths" });
    const nodes = res.paths.flatMap((p) => p.nodes.map((n) => n.ref));
    graph.highlight(nodes.length ? nodes : [a.ref, b.ref], res.paths.flatMap((p) => p.relationships.map(relId)));
    graph.fitTo([a.ref, b.ref, ...nodes]);
    state.panel.paths(res, a, b, maxHops);
    setStatus("");
  } catch (err) {
    setStatus("");
    fail(err, { inPanel: true });
  }
}

export async function openCommunity(id) {
  switchView("graph");
  state.panel.loading();
  try {
    const c = await api.community(id);
    state.graph.addSubgraph(c.subgraph, { name: "community" });
    state.graph.fitWhenStable();
    state.panel.community(c);
    setContext({ kind: "community", id: String(id) });
  } catch (err) {
    fail(err, { inPanel: true });
  }
}

export async function doExport(format) {
  const graph = state.graph;
  try {
    let name;
    if (format === "png") name = await exportPng(graph);
    else if (["json", "graphml", "gexf", "xlsx", "ftm"].includes(format)) name = await exportOnScreen(graph, format);
    else if (format === "html") name = await exportHtml(graph, state.schema);
    else if (format === "dossier") {
      const ref = graph.selection()[0] || (state.context?.kind === "entity" ? state.context.id : null);
      if (!ref) return banner(t("export.label"), t("graph.select_one"));
      name = await openDossier(ref);
    } else {
      const ctx = state.context;
      if (!ctx) return banner(t("export.label"), t("export.no_context"));
      const id = ctx.kind === "finding" ? ctx.findingId || ctx.id : ctx.id;
      name = await exportViaApi({ kind: ctx.kind, id }, format.slice(4));
    }
    setStatus("export.done", { name });
  } catch (err) {
    fail(err);
  }
}

