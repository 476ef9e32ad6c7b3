// The graph on screen: vis-network over two DataSets, fed from the API's subgraphs.
// The model (records of nodes and relationships with their flags) changes only through
// History transactions, so every change can be undone; styling is derived from the
// model, the schema, the findings on screen, the time filter and community colouring.

import { History } from "./history.js";
import { communities, nodeOutsideTime, rank, relOutsideTime } from "./filters.js";
import { edgeStyle, nodeStyle, SEV_RANK } from "./style.js";

const OPTIONS = {
  autoResize: true,
  layout: { improvedLayout: false }, // expensive above a few hundred nodes; we place nodes
  physics: {
    enabled: false,
    solver: "forceAtlas2Based",
    forceAtlas2Based: { gravitationalConstant: -55, springLength: 110, springConstant: 0.06, avoidOverlap: 0.2 },
    stabilization: { enabled: true, iterations: 250, updateInterval: 50, fit: false },
    minVelocity: 1,
  },
  interaction: { multiselect: true, hover: true, tooltipDelay: 250, keyboard: false, selectConnectedEdges: false },
  nodes: { shape: "dot", size: 14, font: { size: 12, strokeWidth: 3, strokeColor: "#ffffff" } },
  edges: { arrows: { to: { enabled: true, scaleFactor: 0.45 } }, smooth: false, font: { size: 10, color: "#52606d", strokeWidth: 3 } },
};

/** The id of a relationship, as the API identifies one (type, ends, start date, source). */
export function relId(r) {
  const p = r.properties || {};
  return [r.type, r.start, r.end, p.valid_from || "", (p.src || []).join(",")].join("|");
}

export class GraphView extends EventTarget {
  constructor(container, schema) {
    super();
    this.schema = schema;
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.recs = new Map(); // id → {id, kind: "node"|"more", node | more, hidden, pinned}
    this.erecs = new Map(); // id → {id, kind: "rel"|"more", rel, from, to}
    this.severity = new Map(); // ref → severity known from the API (entity details)
    this.lit = { nodes: new Set(), edges: new Set() };
    this.time = { on: false, date: null, events: true };
    this.colourCommunities = false;
    this.frozen = false;
    this.stable = true;
    this.history = new History(this);
    this.network = new vis.Network(container, { nodes: this.nodes, edges: this.edges }, OPTIONS);
    this.#wire();
  }

  #wire() {
    const net = this.network;
    net.on("click", (p) => {
      const id = p.nodes[0];
      if (id && this.recs.get(id)?.kind === "more") {
        this.emit("more", this.recs.get(id).more);
        return;
      }
      this.emit("select", { nodes: net.getSelectedNodes(), edges: p.nodes.length ? [] : p.edges });
    });
    net.on("doubleClick", (p) => {
      const id = p.nodes[0];
      if (id && this.recs.get(id)?.kind === "node") this.emit("expand", id);
    });
    net.on("stabilizationIterationsDone", () => this.#settled());
    // vis leaves a node's tooltip up when the pointer leaves the canvas: take it down.
    const box = net.body.container;
    let inside = false;
    const hideTips = () => {
      if (inside) return;
      for (const el of box.querySelectorAll(".vis-tooltip")) el.style.visibility = "hidden";
    };
    box.addEventListener("mouseenter", () => (inside = true));
    box.addEventListener("mouseleave", () => {
      inside = false;
      hideTips();
      setTimeout(hideTips, OPTIONS.interaction.tooltipDelay + 100); // one may be pending
    });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // -- the model, as History drives it ------------------------------------------------------
  applyAdd(nodes, edges) {
    if (!this.recs.size && nodes.length) this.pendingFit = true;
    const placed = this.#place(nodes);
    for (const r of nodes) this.recs.set(r.id, { ...r, x: undefined, y: undefined });
    for (const e of edges) this.erecs.set(e.id, e);
    this.nodes.add(nodes.map((r) => ({ ...nodeStyle(r, this.#look(r, true)), ...placed.get(r.id) })));
    this.edges.add(edges.filter((e) => this.recs.has(e.from) && this.recs.has(e.to)).map((e) => edgeStyle(e, this.#look(e, false))));
    if (nodes.length) this.relayout();
  }

  applyRemove(nodeIds, edgeIds) {
    for (const id of edgeIds) this.erecs.delete(id);
    for (const id of nodeIds) this.recs.delete(id);
    this.edges.remove(edgeIds.filter((id) => this.edges.get(id)));
    this.nodes.remove(nodeIds.filter((id) => this.nodes.get(id)));
  }

  applyFlag(name, values) {
    for (const [id, v] of values) {
      const r = this.recs.get(id);
      if (r) r[name] = v;
    }
  }

  flagOf(name, id) {
    const r = this.recs.get(id);
    return r ? Boolean(r[name]) : undefined;
  }

  snapshot(nodeIds, edgeIds) {
    const ids = new Set(nodeIds.filter((id) => this.recs.has(id)));
    const pos = this.network.getPositions([...ids]);
    const nodes = [...ids].map((id) => ({ ...this.recs.get(id), ...pos[id] }));
    const eids = new Set(edgeIds.filter((id) => this.erecs.has(id)));
    for (const e of this.erecs.values()) if (ids.has(e.from) || ids.has(e.to)) eids.add(e.id);
    return { nodes, edges: [...eids].map((id) => this.erecs.get(id)) };
  }

  /** Restyle everything after a change; recount; tell the page. */
  changed() {
    this.#computeHalo();
    this.groups = this.colourCommunities ? this.#groups() : null;
    this.nodes.update([...this.recs.values()].map((r) => nodeStyle(r, this.#look(r, true))));
    this.edges.update([...this.erecs.values()].map((e) => edgeStyle(e, this.#look(e, false))));
    this.emit("change", this.counts());
  }

  // -- what the page asks for ---------------------------------------------------------------
  /** Add an API subgraph; `anchor` is the node it grew from, `more` what the limit left out. */
  addSubgraph(sub, { name = "add", anchor = null, more = null, moreLabels = null } = {}) {
    const newNodes = [];
    const seen = new Set();
    for (const n of sub.nodes || []) {
      if (seen.has(n.ref)) continue;
      seen.add(n.ref);
      if (!this.recs.has(n.ref)) newNodes.push({ id: n.ref, kind: "node", node: n, hidden: false, pinned: false, anchor });
      else if (this.recs.get(n.ref).kind === "node") this.recs.get(n.ref).node = n; // fresher copy
    }
    const known = new Set([...this.recs.keys(), ...newNodes.map((n) => n.id)]);
    const newEdges = [];
    for (const r of sub.relationships || []) {
      const id = relId(r);
      if (!this.erecs.has(id) && !seen.has(id) && known.has(r.start) && known.has(r.end)) {
        seen.add(id);
        newEdges.push({ id, kind: "rel", rel: r, from: r.start, to: r.end });
      }
    }
    this.history.run(name, (tx) => {
      if (anchor && more) this.#replaceMore(tx, anchor, more, moreLabels);
      tx.add(newNodes, newEdges);
    });
    return newNodes.length;
  }

  #replaceMore(tx, anchor, more, labels) {
    const old = [...this.recs.values()].filter(
      (r) => r.kind === "more" && r.more.parent === anchor && (!labels || labels.includes(r.more.label)),
    );
    tx.remove(old.map((r) => r.id));
    const nodes = [];
    const edges = [];
    for (const [label, count] of Object.entries(more)) {
      if (count <= 0 || (labels && !labels.includes(label))) continue;
      const id = `more|${anchor}|${label}`;
      nodes.push({ id, kind: "more", more: { parent: anchor, label, count }, anchor });
      edges.push({ id: `${id}|edge`, kind: "more", from: anchor, to: id });
    }
    tx.add(nodes, edges);
  }

  hide(ids) {
    this.history.run("hide", (tx) => tx.flag("hidden", ids, true));
  }

  showAll() {
    const ids = [...this.recs.values()].filter((r) => r.hidden).map((r) => r.id);
    this.history.run("show", (tx) => tx.flag("hidden", ids, false));
  }

  togglePin(ids) {
    const pin = ids.some((id) => !this.recs.get(id)?.pinned);
    this.history.run("pin", (tx) => tx.flag("pinned", ids, pin));
  }

  /** Remove what hangs only from `id`: its leaves and its "+N more" nodes. */
  collapse(id) {
    const deg = new Map();
    const nbr = new Map();
    for (const e of this.erecs.values()) {
      for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
        deg.set(a, (deg.get(a) || 0) + 1);
        if (!nbr.has(a)) nbr.set(a, new Set());
        nbr.get(a).add(b);
      }
    }
    const leaves = [...(nbr.get(id) || [])].filter((n) => {
      const r = this.recs.get(n);
      return r && !r.pinned && nbr.get(n).size === 1;
    });
    this.history.run("collapse", (tx) => tx.remove(leaves));
    return leaves.length;
  }

  clear() {
    this.history.run("clear", (tx) => tx.remove([...this.recs.keys()]));
    this.lit = { nodes: new Set(), edges: new Set() };
  }

  undo() {
    return this.history.undo();
  }

  redo() {
    return this.history.redo();
  }

  /** Emphasise a path or an evidence subgraph (and select its nodes). */
  highlight(nodeIds, edgeIds) {
    this.lit = { nodes: new Set(nodeIds), edges: new Set(edgeIds) };
    this.changed();
    const present = nodeIds.filter((id) => this.recs.has(id));
    this.network.selectNodes(present, false);
  }

  clearHighlight() {
    if (!this.lit.nodes.size && !this.lit.edges.size) return;
    this.lit = { nodes: new Set(), edges: new Set() };
    this.changed();
  }

  noteSeverity(ref, findings) {
    const open = (findings || []).filter((f) => f.status !== "dismissed");
    const best = open.reduce((s, f) => (SEV_RANK[f.severity] > (SEV_RANK[s] || 0) ? f.severity : s), null);
    if (best) this.severity.set(ref, best);
    else this.severity.delete(ref);
    this.changed();
  }

  setTime(on, date, events) {
    this.time = { on, date, events };
    this.changed();
  }

  setCommunityColouring(on) {
    this.colourCommunities = on;
    this.changed();
  }

  setFrozen(frozen) {
    this.frozen = frozen;
    if (frozen) {
      this.network.stopSimulation();
      this.network.setOptions({ physics: { enabled: false } });
      this.stable = true;
    } else this.relayout();
  }

  /** Let the layout settle (a capped number of iterations), then stop physics. */
  relayout() {
    if (this.frozen || !this.recs.size) return;
    this.stable = false;
    const n = this.recs.size;
    this.network.setOptions({ physics: { enabled: true } });
    this.network.stabilize(n > 600 ? 60 : n > 200 ? 120 : 200);
  }

  /** Fit the view once the layout has settled (now, if it has). */
  fitWhenStable() {
    if (this.stable) this.fit();
    else this.pendingFit = true;
  }

  #settled() {
    this.network.setOptions({ physics: { enabled: false } });
    this.stable = true;
    if (this.pendingFit) {
      this.pendingFit = false;
      this.fit();
    }
    this.emit("stable", this.counts());
  }

  fit() {
    this.network.fit({ animation: false });
  }

  /** Fit the view to some nodes once the layout has settled. */
  fitTo(ids) {
    const go = () => this.network.fit({ nodes: ids.filter((id) => this.recs.has(id)), animation: false });
    if (this.stable) go();
    else this.addEventListener("stable", go, { once: true });
  }

  selection() {
    return this.network.getSelectedNodes().filter((id) => this.recs.get(id)?.kind === "node");
  }

  select(ids) {
    this.network.selectNodes(ids.filter((id) => this.recs.has(id)), false);
  }

  focus(id) {
    if (!this.recs.has(id)) return;
    this.network.selectNodes([id], false);
    this.network.focus(id, { scale: Math.max(0.6, this.network.getScale()), animation: false });
  }

  node(id) {
    const r = this.recs.get(id);
    return r?.kind === "node" ? r.node : null;
  }

  edge(id) {
    return this.erecs.get(id)?.rel || null;
  }

  isVisible(id) {
    const r = this.recs.get(id);
    return Boolean(r) && !this.#nodeHidden(r);
  }

  /** Neighbours of `id` on screen with `label`. */
  neighboursWithLabel(id, label) {
    let n = 0;
    for (const e of this.erecs.values()) {
      const other = e.from === id ? e.to : e.to === id ? e.from : null;
      if (other && this.recs.get(other)?.node?.label === label) n++;
    }
    return n;
  }

  counts() {
    const nodes = [...this.recs.values()].filter((r) => r.kind === "node");
    const shown = nodes.filter((r) => !this.#nodeHidden(r)).length;
    const edges = [...this.erecs.values()].filter((e) => e.kind === "rel" && !this.#edgeHidden(e)).length;
    const labels = {};
    for (const r of nodes) if (!this.#nodeHidden(r)) labels[r.node.label] = (labels[r.node.label] || 0) + 1;
    return { nodes: shown, edges, hidden: nodes.length - shown, labels };
  }

  /** What is on screen, in the API's shapes: nodes and relationships not hidden. */
  visibleSubgraph() {
    const nodes = [...this.recs.values()].filter((r) => r.kind === "node" && !this.#nodeHidden(r));
    const ids = new Set(nodes.map((r) => r.id));
    const rels = [...this.erecs.values()].filter((e) => e.kind === "rel" && !this.#edgeHidden(e) && ids.has(e.from) && ids.has(e.to));
    return { nodes: nodes.map((r) => r.node), relationships: rels.map((e) => e.rel) };
  }

  /** Page coordinates of a node (tests, and placing pop-ups). */
  domPosition(id) {
    const p = this.network.getPositions([id])[id];
    return p ? this.network.canvasToDOM(p) : null;
  }

  // -- styling -----------------------------------------------------------------------------
  #nodeHidden(r) {
    if (r.hidden) return true;
    if (r.kind === "more") return Boolean(this.recs.get(r.more.parent)?.hidden);
    return this.time.on && nodeOutsideTime(r.node, this.time.date, this.time.events);
  }

  #edgeHidden(e) {
    const a = this.recs.get(e.from);
    const b = this.recs.get(e.to);
    if (!a || !b || this.#nodeHidden(a) || this.#nodeHidden(b)) return true;
    return e.kind === "rel" && this.time.on && relOutsideTime(e.rel, this.time.date);
  }

  /** What styling needs to know about one node or edge, besides the record itself. */
  #look(item, isNode) {
    return {
      schema: this.schema,
      hidden: isNode ? this.#nodeHidden(item) : this.#edgeHidden(item),
      halo: this.halo?.get(item.id),
      group: this.groups?.get(item.id),
      lit: isNode ? this.lit.nodes.has(item.id) : this.lit.edges.has(item.id),
      edgeLabels: this.erecs.size <= 400,
    };
  }

  #computeHalo() {
    this.halo = new Map(this.severity);
    const raise = (id, sev) => {
      if (sev && (SEV_RANK[sev] || 0) > (SEV_RANK[this.halo.get(id)] || 0)) this.halo.set(id, sev);
    };
    for (const e of this.erecs.values()) {
      if (e.kind !== "rel" || e.rel.type !== "CONCERNS") continue;
      const f = this.recs.get(e.from)?.node?.properties;
      if (f && f.status !== "dismissed") raise(e.to, f.severity);
    }
    for (const r of this.recs.values()) {
      if (r.node?.label === "Finding" && r.node.properties?.status !== "dismissed") raise(r.id, r.node.properties?.severity);
    }
  }

  #groups() {
    const nodes = [...this.recs.values()].filter((r) => r.kind === "node" && r.node.label !== "Finding" && !this.#nodeHidden(r));
    if (nodes.length && nodes.every((r) => r.node.properties?.community != null)) {
      return rank(new Map(nodes.map((r) => [r.id, r.node.properties.community])));
    }
    const links = [...this.erecs.values()].filter((e) => e.kind === "rel" && !this.#edgeHidden(e)).map((e) => [e.from, e.to]);
    return communities(nodes.map((r) => r.id), links);
  }

  #place(nodes) {
    const out = new Map();
    const view = this.recs.size ? this.network.getViewPosition() : { x: 0, y: 0 };
    const byAnchor = new Map();
    for (const r of nodes) {
      const a = r.x !== undefined ? null : r.anchor || r.more?.parent || null;
      if (r.x !== undefined) out.set(r.id, { x: r.x, y: r.y });
      else (byAnchor.get(a) || byAnchor.set(a, []).get(a)).push(r.id);
    }
    for (const [anchor, ids] of byAnchor) {
      const c = (anchor && this.network.getPositions([anchor])[anchor]) || view;
      const radius = 90 + 12 * Math.sqrt(ids.length);
      ids.forEach((id, i) => {
        const a = (2 * Math.PI * i) / ids.length + Math.random() * 0.2;
        out.set(id, { x: c.x + radius * Math.cos(a), y: c.y + radius * Math.sin(a) });
      });
    }
    return out;
  }
}
