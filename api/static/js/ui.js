// What the modules share: the page's state, messages (status line, banner, refusals),
// capabilities of the signed-in role, and switching between the three views.

import { t } from "./i18n.js";

export const $ = (sel) => document.querySelector(sel);
export const state = { me: null, schema: null, graph: null, panel: null, views: {}, context: null, built: false, health: null, status: "" };

// -- messages --------------------------------------------------------------------------------
// The status line keeps its message as an i18n key and values (a value may be a function,
// for one that is itself translated), so a change of language redraws it.
let statusMessage = null;

export function setStatus(key, vars = {}) {
  statusMessage = key ? [key, vars] : null;
  renderStatus();
}

/** The status line, after the graph's load state when a load is unfinished (from /health). */
export function renderStatus() {
  const h = state.health;
  const warning = h && h.load === "partial" ? t("load.partial", { since: h.load_since || "?" }) : "";
  let message = "";
  if (statusMessage) {
    const [key, vars] = statusMessage;
    const values = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === "function" ? v() : v]));
    message = t(key, values);
  }
  $("#status").textContent = [warning, message].filter(Boolean).join(" · ");
  $("#status").classList.toggle("warn", Boolean(warning));
}

export function banner(title, text) {
  $("#banner-title").textContent = title;
  $("#banner-text").textContent = text;
  $("#banner").hidden = false;
}

/** Every failed request ends here: 401 is handled by the API module (back to sign-in). */
export function fail(err, { inPanel = false } = {}) {
  if (err.name === "AbortError" || err.status === 401) return;
  if (err.status === 428) {
    banner(t("error.purpose"), t("purpose.needed"));
    $("#purpose-input").focus();
    return;
  }
  const title = {
    403: t("error.forbidden"),
    404: t("error.notfound"),
    429: t("error.rate"),
    503: t("error.unavailable"),
    0: t("error.network"),
  }[err.status];
  banner(title || t("error.title"), err.message);
  if (inPanel) state.panel.error(err);
}


export const can = (cap) => !state.me || state.me.capabilities.includes(cap);

// -- views ---------------------------------------------------------------------------------------
export function switchView(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.dataset.view === name;
    tab.setAttribute("aria-selected", String(on));
    $(`#view-${tab.dataset.view}`).hidden = !on;
  }
  if (name === "graph") state.graph.network.redraw();
  else state.views[name].show();
  if (name !== "graph") history.replaceState(null, "", `#view=${name}`);
}
