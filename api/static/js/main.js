// The explorer's entry point: sign-in, the header with the user's role and divisions,
// building the workbench, and opening what the address names (#entity=…, #finding=…).

import { activity, api, session, setUnauthorizedHandler } from "./api.js";
import { openDossier } from "./exporting.js";
import { GraphView, relId } from "./graph.js";
import { applyI18n, onLangChange, t, toggleLang } from "./i18n.js";
import { Panel } from "./panel.js";
import { Search } from "./search.js";
import { CommunitiesView, FindingsView } from "./views.js";
import { CasesView, openCaseDialog } from "./cases.js";
import { IntakeView } from "./intake.js";
import { StatsView } from "./statsview.js";
import { expand, findPaths, openCommunity, openFinding, openNode, showEvidence, triage } from "./actions.js";
import { fillTypes, updateCounts, wireGraph, wireTime, wireToolbar } from "./toolbar.js";
import { loadPatterns } from "./patterns.js";
import { $, can, fail, renderStatus, setStatus, state, switchView } from "./ui.js";

// -- sign-in -----------------------------------------------------------------------------------
function showSignin(message) {
  $("#app").hidden = true;
  $("#signin").hidden = false;
  $("#signin-purpose").value = session.purpose;
  const err = $("#signin-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("#signin-key").focus();
}

setUnauthorizedHandler(() => {
  session.clear();
  showSignin(t("signin.bad_key"));
});

async function enter() {
  let me;
  try {
    me = await api.me();
  } catch (err) {
    if (err.status === 401) return false;
    if (err.status !== 404) throw err;
    me = null; // an API without /me: carry on without role details
  }
  const raw = await api.schema();
  state.me = me;
  state.schema = {
    nodes: new Map(raw.nodes.map((n) => [n.label, n])),
    rels: new Map(raw.relationships.map((r) => [r.type, r])),
  };
  await loadPatterns(); // rule names for the panel and the findings view
  if (!state.built) build();
  showWho();
  showCasesTab();
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#purpose-input").value = session.purpose;
  state.graph.network.redraw();
  route();
  checkLoad();
  return true;
}

/** Say in the status bar when the graph is only partly loaded (a load unfinished). */
function checkLoad() {
  api
    .health()
    .then((h) => {
      state.health = h;
      renderStatus();
    })
    .catch(() => {}); // an engine that does not answer shows up on the next request
}

function showWho() {
  const me = state.me;
  if (!me) {
    $("#who").textContent = "";
    return;
  }
  const divs = me.divisions.map((d) => d || t("who.all_divisions")).join(", ");
  $("#who").textContent = `${me.name} · ${t(`role.${me.role}`)} · ${divs}`;
}

// -- building the workbench ----------------------------------------------------------------------
function build() {
  state.built = true;
  const schema = state.schema;
  const graph = new GraphView($("#graph"), schema);
  state.graph = graph;
  // For the browser tests and the curious: idle() is true when nothing is loading or moving;
  // api is the signed-in client (its calls are audited like the explorer's own).
  window.explorer = { graph, state, api, idle: () => activity.pending === 0 && graph.stable };
  state.panel = new Panel($("#panel"), schema, {
    expand: (ref) => expand(ref),
    dossier: (ref) => openDossier(ref).catch((e) => fail(e)),
    pin: (ref) => graph.togglePin([ref]),
    hide: (ref) => graph.hide([ref]),
    openFinding: (ref) => openFinding(ref),
    showEvidence: (f) => showEvidence(f),
    triage: (ref, status, note) => triage(ref, status, note),
    highlightPath: (p) => {
      graph.highlight(p.nodes.map((n) => n.ref), p.relationships.map(relId));
      graph.fitTo(p.nodes.map((n) => n.ref));
    },
    paths: () => findPaths(),
    can,
  });
  state.panel.hint();
  new Search($("#search-input"), $("#search-list"), schema, { onOpen: (node) => openNode(node), onError: fail });
  const inGraph = (ref) => {
    switchView("graph");
    openFinding(ref);
  };
  state.views.findings = new FindingsView($("#findings-filter"), $("#findings-body"), {
    openFinding: inGraph,
    openCase: (source, title) => newCase(source, title),
    triage: (ref, status) => api.triage(ref, status, null),
    can,
  });
  buildCases(schema, inGraph);
  state.views.communities = new CommunitiesView($("#communities-filter"), $("#communities-body"), schema, {
    openCommunity: (id) => openCommunity(id),
  });
  fillTypes();
  wireGraph(graph);
  wireToolbar(graph);
  wireTime(graph);
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => switchView(tab.dataset.view));
  updateCounts(graph.counts());
}

// -- the 案件 view and its sections ----------------------------------------------------------------
/** Which sections of the 案件 view the role may use: each needs its own capability. */
function caseSections() {
  return { board: can("cases"), case: can("cases"), intake: can("complaints"), stats: can("case_stats") };
}

function buildCases(schema, inGraph) {
  const cases = new CasesView($("#view-cases"), {
    schema,
    can,
    me: () => state.me,
    openFinding: inGraph,
    openInGraph: (sub) => {
      switchView("graph");
      state.graph.addSubgraph(sub, { name: "case" });
      state.graph.fitWhenStable();
    },
    section: (name) => showSection(name),
    status: setStatus,
  });
  const intake = new IntakeView($("#intake"), {
    schema,
    can,
    me: () => state.me,
    vocabulary: () => cases.vocabulary(),
    openCase: (source, title) => newCase(source, title),
    showCase: (no) => cases.openCase(no),
  });
  const stats = new StatsView($("#stats"), { me: () => state.me });
  state.views.cases = {
    cases,
    intake,
    stats,
    section: "board",
    show() {
      const allowed = caseSections();
      const first = ["board", "intake", "stats"].find((s) => allowed[s]);
      return showSection(allowed[this.section] ? this.section : first);
    },
    rerender() {
      cases.rerender();
      intake.rerender();
      stats.rerender();
    },
  };
  for (const b of document.querySelectorAll("#cases-nav [data-section]")) {
    b.addEventListener("click", () => {
      showSection(b.dataset.section);
      history.replaceState(null, "", "#view=cases");
    });
  }
}

function showSection(name) {
  const v = state.views.cases;
  const allowed = caseSections();
  v.section = name;
  for (const el of document.querySelectorAll("#view-cases .cases-section")) el.hidden = el.dataset.section !== name;
  for (const b of document.querySelectorAll("#cases-nav [data-section]")) {
    b.hidden = !allowed[b.dataset.section];
    b.setAttribute("aria-pressed", String(b.dataset.section === name || (name === "case" && b.dataset.section === "board")));
  }
  if (name === "board") return v.cases.show();
  if (name === "intake") return v.intake.show();
  if (name === "stats") return v.stats.show();
}

/** Open a case from a lead, a finding or a complaint, then show it. */
async function newCase(source, title) {
  const c = await openCaseDialog(source, title);
  if (!c) return;
  switchView("cases");
  await state.views.cases.cases.openCase(c.case_no);
  setStatus("case.opened", { no: c.case_no });
}

function showCasesTab() {
  const allowed = caseSections();
  $("#tab-cases").hidden = !(allowed.board || allowed.intake || allowed.stats);
}

// -- routing --------------------------------------------------------------------------------------
function route() {
  const m = /^#(entity|finding|community|view|case)=(.+)$/.exec(location.hash);
  if (!m) return switchView("graph");
  const id = decodeURIComponent(m[2]);
  if (m[1] === "view" && ["findings", "communities", "cases"].includes(id)) return switchView(id);
  if (m[1] === "case") {
    switchView("cases");
    return state.views.cases.cases.openCase(id);
  }
  switchView("graph");
  if (m[1] === "entity") {
    api
      .entity(id)
      .then((d) => openNode(d.node))
      .catch((err) => fail(err, { inPanel: true }));
  } else if (m[1] === "finding") openFinding(id);
  else if (m[1] === "community") openCommunity(Number(id));
}

// -- start -------------------------------------------------------------------------------------
function boot() {
  applyI18n();
  for (const b of document.querySelectorAll(".lang-toggle")) b.addEventListener("click", toggleLang);
  onLangChange(() => {
    if (!state.built) return;
    showWho();
    renderStatus();
    fillTypes();
    if (!$("#time-on").checked) $("#time-value").textContent = t("time.off");
    state.graph.changed();
    state.panel.rerender();
    state.views.findings.rerender();
    state.views.communities.rerender();
    state.views.cases.rerender();
  });
  // A link to #case=… (or an address typed in) while signed in opens what it names.
  window.addEventListener("hashchange", () => {
    if (state.built && !$("#app").hidden) route();
  });
  $("#banner-close").addEventListener("click", () => ($("#banner").hidden = true));
  $("#signout").addEventListener("click", () => {
    session.clear();
    location.hash = "";
    location.reload();
  });
  $("#purpose-input").addEventListener("change", (e) => {
    session.purpose = e.target.value.trim();
  });
  $("#signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const err = $("#signin-error");
    err.hidden = false;
    err.textContent = t("signin.checking");
    session.key = $("#signin-key").value.trim();
    session.purpose = $("#signin-purpose").value.trim();
    try {
      if (await enter()) $("#signin-key").value = "";
    } catch (ex) {
      err.textContent = ex.message;
    }
  });
  if (session.key) enter().catch(() => showSignin());
  else showSignin();
}

boot();
