// The toolbar, keyboard shortcuts, the time filter, and the legend with the counts.

import { clear, h } from "./dom.js";
import { dateSpan, fromDays, toDays } from "./filters.js";
import { HALO } from "./style.js";
import { labelName, propName, relName, t } from "./i18n.js";
import { doExport, expand, findPaths, loadMore, showEntity } from "./actions.js";
import { $, banner, setStatus, state } from "./ui.js";

export function fillTypes() {
  const sel = $("#expand-types");
  const keep = sel.value;
  clear(
    sel,
    h("option", { value: "" }, t("toolbar.all_types")),
    [...state.schema.rels.values()].map((r) => h("option", { value: r.type }, relName(state.schema, r.type))),
  );
  sel.value = keep;
}

export function wireGraph(graph) {
  graph.addEventListener("select", (e) => {
    const { nodes, edges } = e.detail;
    if (nodes.length === 1) showEntity(nodes[0]);
    else if (nodes.length > 1) state.panel.selection(nodes.map((id) => graph.node(id)).filter(Boolean));
    else if (edges.length === 1) {
      const rel = graph.edge(edges[0]);
      if (rel) state.panel.edge(rel, graph.node(rel.start), graph.node(rel.end));
    } else {
      graph.clearHighlight();
    }
  });
  graph.addEventListener("expand", (e) => expand(e.detail));
  graph.addEventListener("more", (e) => loadMore(e.detail));
  graph.addEventListener("change", (e) => {
    updateCounts(e.detail);
    updateTimeSpan();
  });
  graph.addEventListener("stable", () => setStatus(""));
}

export function updateCounts(c) {
  $("#counts").textContent = t("counts", c) + (c.hidden ? t("counts.hidden", c) : "");
  $("#empty").hidden = c.nodes + c.hidden > 0;
  const schema = state.schema;
  const labels = Object.entries(c.labels).sort((a, b) => b[1] - a[1]);
  if (!labels.length) {
    clear($("#legend"));
    return;
  }
  clear(
    $("#legend"),
    labels.length ? h("h2", {}, t("legend.title")) : null,
    h(
      "ul",
      {},
      labels.map(([l, n]) => {
        const info = schema.nodes.get(l);
        const cap = info ? `${labelName(schema, l)} — ${propName(schema, l, info.caption)}` : l;
        return h("li", { title: cap, dataset: { label: l } }, h("span", { class: "dot", style: { background: info?.color || "#adb5bd" } }), `${labelName(schema, l)} ${n}`);
      }),
    ),
    labels.length && state.graph?.colourCommunities ? h("p", { class: "legend-note" }, t("legend.communities")) : null,
    labels.length
      ? h(
          "ul",
          { class: "halo-legend", "aria-label": t("legend.halo") },
          ["high", "medium", "low"].map((s) => h("li", {}, h("span", { class: "ring", style: { borderColor: HALO[s], boxShadow: `0 0 5px ${HALO[s]}` } }), `${t("legend.halo")} · ${t(`sev.${s}`)}`)),
        )
      : null,
  );
}

// -- toolbar ---------------------------------------------------------------------------------
/** After undo or redo: what was undone, named in the current language. */
function done(key, name) {
  setStatus(name ? key : "", { what: () => t(`cmd.${name}`) });
}

export function wireToolbar(graph) {
  const selected = () => graph.selection();
  const need = (fn) => () => {
    const sel = selected();
    if (!sel.length) return banner(t("toolbar.label"), t("graph.select_one"));
    fn(sel);
  };
  const actions = {
    expand: need((sel) => sel.forEach((id) => expand(id))),
    hide: need((sel) => graph.hide(sel)),
    pin: need((sel) => graph.togglePin(sel)),
    collapse: need((sel) => sel.forEach((id) => graph.collapse(id))),
    showall: () => graph.showAll(),
    clear: () => {
      graph.clear();
      state.panel.hint();
    },
    undo: () => done("history.undone", graph.undo()),
    redo: () => done("history.redone", graph.redo()),
    fit: () => graph.fit(),
    freeze: (btn) => {
      const on = btn.getAttribute("aria-pressed") !== "true";
      btn.setAttribute("aria-pressed", String(on));
      graph.setFrozen(on);
    },
    communities: (btn) => {
      const on = btn.getAttribute("aria-pressed") !== "true";
      btn.setAttribute("aria-pressed", String(on));
      graph.setCommunityColouring(on);
    },
    paths: () => findPaths(),
    export: () => doExport($("#export-format").value),
  };
  for (const btn of document.querySelectorAll("[data-action]")) {
    btn.addEventListener("click", () => actions[btn.dataset.action](btn));
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select") || $("#view-graph").hidden) return;
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === "z") (e.shiftKey ? actions.redo : actions.undo)();
    else if ((e.ctrlKey || e.metaKey) && k === "y") actions.redo();
    else if (e.ctrlKey || e.metaKey || e.altKey) return;
    else if (k === "delete" || k === "h") actions.hide();
    else if (k === "p") actions.pin();
    else if (k === "e") actions.expand();
    else if (k === "f") actions.fit();
    else if (k === "escape") graph.clearHighlight();
    else return;
    e.preventDefault();
  });
}

// -- the time filter -----------------------------------------------------------------------------
export function wireTime(graph) {
  const on = $("#time-on");
  const slider = $("#time-slider");
  const apply = () => {
    slider.disabled = !on.checked;
    const date = fromDays(Number(slider.value));
    $("#time-value").textContent = on.checked ? date : t("time.off");
    graph.setTime(on.checked, date, $("#time-events").checked);
  };
  state.applyTime = apply;
  on.addEventListener("change", apply);
  slider.addEventListener("input", apply);
  $("#time-events").addEventListener("change", apply);
  $("#time-value").textContent = t("time.off");
}

export function updateTimeSpan() {
  const g = state.graph;
  const recs = [...g.recs.values()].filter((r) => r.kind === "node").map((r) => r.node);
  const rels = [...g.erecs.values()].filter((e) => e.kind === "rel").map((e) => e.rel);
  const span = dateSpan(recs, rels);
  const slider = $("#time-slider");
  if (!span) return;
  const lo = toDays(span.lo);
  const hi = toDays(span.hi);
  const atEnd = Number(slider.value) >= Number(slider.max) || Number(slider.max) === 0;
  if (Number(slider.min) === lo && Number(slider.max) === hi) return;
  slider.min = String(lo);
  slider.max = String(hi);
  if (atEnd) slider.value = String(hi);
  if (!$("#time-on").checked) $("#time-value").textContent = t("time.off");
}

