// The statistics panel: per division (with its children) and period, the counts the
// commission reports (received, accepted, closed, substantiated, on time, overdue now),
// the money, outcomes and dispositions by kind; a bar chart in inline SVG (no library);
// and the same table as an Excel workbook from the API (audited, so fetched with the key
// and purpose and saved, not linked).

import { api } from "./api.js";
import { bars } from "./casestate.js";
import { today } from "./cases.js";
import { clear, download, errorBox, fmtValue, h } from "./dom.js";
import { t } from "./i18n.js";

const COUNTS = ["received", "accepted", "accepted_on_time", "rejected", "closed", "closed_on_time", "overdue_now", "substantiated"];
const MONEY = ["amount_involved", "amount_recovered"];
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A bar chart of `key` over rows, each bar named by `name(row)`, as an inline SVG. */
export function barChart(rows, key, name, money) {
  const W = 560;
  const H = 170;
  const top = 18;
  const bottom = 34;
  const shown = bars(rows, key, { width: W, height: H - top - bottom });
  const fmt = (v) => (money ? fmtValue(v, "money") : v.toLocaleString());
  return svg(
    "svg",
    { class: "chart", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" },
    svg("line", { x1: 0, x2: W, y1: H - bottom, y2: H - bottom, stroke: "#9aa5b1" }),
    ...shown.flatMap((b) => [
      svg("rect", { x: b.x, y: top + b.y, width: b.w, height: b.h, fill: "#457b9d" }, svg("title", {}, `${name(b.row)}: ${fmt(b.value)}`)),
      svg("text", { x: b.x + b.w / 2, y: top + b.y - 4, "text-anchor": "middle", "font-size": 11, fill: "#1f2933" }, money ? fmtValue(b.value, "money").replace(/\.00/, "") : b.value),
      svg("text", { x: b.x + b.w / 2, y: H - bottom + 14, "text-anchor": "middle", "font-size": 11, fill: "#52606d" }, name(b.row).slice(0, 8)),
    ]),
  );
}

/** "党纪处分:警告" → "党纪处分 · 警告" in the current language. */
function measures(obj) {
  return h(
    "ul",
    { class: "kv" },
    Object.entries(obj).map(([km, n]) => {
      const [kind, measure] = km.split(":");
      return h("li", {}, t(`kind.${kind}`), measure ? ` · ${t(`measure.${measure}`)}` : "", ": ", h("strong", {}, n.toLocaleString()));
    }),
  );
}

export class StatsView {
  /** @param hooks {me()} */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.built = false;
    this.last = null;
  }

  show() {
    if (!this.built) this.#build();
  }

  /** A change of language rebuilds the form (its labels are drawn once). */
  rerender() {
    if (!this.built) return;
    this.built = false;
    if (!this.root.hidden) this.show();
  }

  #build() {
    this.built = true;
    const me = this.hooks.me();
    const year = today().slice(0, 4);
    this.form = h(
      "form",
      { id: "stats-filter", class: "filters" },
      h("label", {}, t("stats.division"), " ", h("input", { name: "division", inputmode: "numeric", pattern: "[0-9]{0,12}", maxlength: 12, size: 12, value: (me?.divisions || []).find(Boolean) || "" })),
      h("label", {}, t("stats.from"), " ", h("input", { name: "from", type: "date", value: `${year}-01-01` })),
      h("label", {}, t("stats.to"), " ", h("input", { name: "to", type: "date", value: today() })),
      h(
        "label",
        {},
        t("stats.metric"),
        " ",
        h("select", { name: "metric" }, [...COUNTS, ...MONEY].map((k) => h("option", { value: k }, t(`stats.${k}`)))),
      ),
      h("button", { type: "submit", class: "primary" }, t("common.apply")),
      h("button", { type: "button", class: "xlsx", onclick: () => this.#xlsx() }, t("stats.xlsx")),
    );
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.load();
    });
    this.form.elements.metric.addEventListener("change", () => this.last && this.#render(this.last));
    this.body = h("div", { class: "stats-body" });
    clear(this.root, this.form, this.body);
    this.load();
  }

  #params() {
    const v = Object.fromEntries(new FormData(this.form));
    return { division: v.division, from: v.from, to: v.to };
  }

  async load() {
    clear(this.body, h("p", { class: "muted" }, t("common.loading")));
    try {
      this.last = await api.caseStats(this.#params());
      this.#render(this.last);
    } catch (err) {
      clear(this.body, errorBox(err));
    }
  }

  async #xlsx() {
    try {
      const { blob, filename } = await api.caseStatsXlsx(this.#params());
      download(blob, filename);
    } catch (err) {
      clear(this.body, errorBox(err));
    }
  }

  #render(s) {
    const metric = this.form.elements.metric.value;
    const money = MONEY.includes(metric);
    const tot = s.totals;
    const cell = (row, k) => h("td", { class: "num" }, MONEY.includes(k) ? fmtValue(row[k] ?? 0, "money") : (row[k] ?? 0).toLocaleString());
    const head = h("tr", {}, h("th", { scope: "col" }, t("col.division")), [...COUNTS, ...MONEY].map((k) => h("th", { scope: "col" }, t(`stats.${k}`))));
    const line = (row, name, cls) => h("tr", { class: cls }, h("th", { scope: "row", title: row.division_code || "" }, name), [...COUNTS, ...MONEY].map((k) => cell(row, k)));
    const children = s.children || [];
    // Without children, the chart is the period's funnel: received → … → substantiated.
    const chart = children.length
      ? barChart(children, metric, (r) => r.division_name || r.division_code, money)
      : barChart(COUNTS.map((k) => ({ name: t(`stats.${k}`), n: tot[k] ?? 0 })), "n", (r) => r.name, false);
    const kv = (obj, prefix) =>
      Object.entries(obj || {}).length
        ? h("ul", { class: "kv" }, Object.entries(obj).map(([k, n]) => h("li", {}, t(`${prefix}.${k}`), ": ", h("strong", {}, n.toLocaleString()))))
        : h("p", { class: "muted" }, t("common.empty"));
    clear(
      this.body,
      h("h3", {}, t("stats.heading", { name: s.division_name || s.division_code, from: s.period.from || "…", to: s.period.to || "…", as_of: s.as_of })),
      h(
        "div",
        { class: "stats-columns" },
        h(
          "div",
          {},
          chart,
          h("p", { class: "muted small" }, children.length ? t("stats.chart_children", { what: t(`stats.${metric}`) }) : t("stats.chart_totals")),
        ),
        h(
          "div",
          {},
          h("h4", {}, t("stats.outcomes")),
          kv(tot.outcomes, "outcome"),
          h("h4", {}, t("stats.dispositions")),
          kv(tot.dispositions, "kind"),
          Object.keys(tot.measures || {}).length ? [h("h4", {}, t("stats.measures")), measures(tot.measures)] : null,
        ),
      ),
      h("table", { class: "list stats" }, h("thead", {}, head), h("tbody", {}, line(tot, s.division_name || s.division_code, "total"), children.map((c) => line(c, c.division_name || c.division_code, "")))),
    );
  }
}
