// The findings view (filter by pattern, severity, division, status) and the communities
// view (ranked by risk): tables whose rows open in the graph. A refusal from the API is
// shown in place of the table.

import { api } from "./api.js";
import { clear, errorBox, h, sevBadge, statusBadge } from "./dom.js";
import { labelName, lang, t } from "./i18n.js";
import { LeadsTable, placeCell } from "./leads.js";
import { loadPatterns, patternName } from "./patterns.js";

const SIZE = 20;

function pager(page, hasMore, go, total) {
  return h(
    "nav",
    { class: "pager", "aria-label": t("common.page", { n: page }) },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, t("common.prev")),
    h("span", {}, t("common.page", { n: page }), total != null ? ` · ${t("findings.total", { n: total })}` : ""),
    h("button", { type: "button", disabled: !hasMore, onclick: () => go(page + 1) }, t("common.next")),
  );
}

/** The findings tab: leads (线索, the default) or the findings one by one. */
export class FindingsView {
  constructor(form, body, { openFinding, openCase, triage, can }) {
    this.form = form;
    this.body = body;
    this.openFinding = openFinding;
    this.leads = new LeadsTable({ openFinding, openCase, triage, can });
    this.page = 1;
    this.loaded = false;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.load(1);
    });
    form.elements.group.addEventListener("change", () => this.load(1));
  }

  get byLead() {
    return this.form.elements.group.value === "lead";
  }

  async #fillPatterns() {
    const select = this.form.elements.pattern;
    const keep = select.value;
    const patterns = await loadPatterns();
    clear(
      select,
      h("option", { value: "" }, t("common.any")),
      patterns.map((p) => h("option", { value: p.id }, patternName(p.id))),
    );
    select.value = keep;
  }

  /** Show the view; the first time, load the first page. */
  async show() {
    await this.#fillPatterns();
    if (!this.loaded) await this.load(1);
  }

  async load(page) {
    this.page = page;
    this.loaded = true;
    const { group, ...f } = Object.fromEntries(new FormData(this.form));
    // Leads are filtered by pattern and division; severity and status are per finding.
    for (const name of ["severity", "status"]) this.form.elements[name].disabled = group === "lead";
    clear(this.body, h("p", { class: "muted" }, t("common.loading")));
    try {
      if (group === "lead") {
        const res = await api.leads({ pattern: f.pattern, division: f.division, page, size: SIZE });
        this.#renderLeads(res);
      } else {
        const res = await api.findings({ ...f, page, size: SIZE });
        this.#render(res);
      }
    } catch (err) {
      clear(this.body, errorBox(err));
    }
  }

  #renderLeads(res) {
    if (!res.items.length) {
      clear(this.body, h("p", { class: "muted" }, t("common.empty")));
      return;
    }
    const table = h("div", {});
    this.leads.render(res, table);
    clear(this.body, table, pager(res.page, res.page * res.size < res.total, (p) => this.load(p), res.total));
  }

  /** After a triage elsewhere (the panel), the rows show the new status. */
  refresh() {
    if (this.loaded) this.load(this.page);
  }

  #render(res) {
    if (!res.items.length) {
      clear(this.body, h("p", { class: "muted" }, t("common.empty")));
      return;
    }
    const rows = res.items.map((f) =>
      h(
        "tr",
        { class: `sev-row-${f.severity}` },
        h("td", {}, sevBadge(f.severity)),
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => this.openFinding(f.ref) }, f.title || patternName(f.pattern))),
        h("td", { class: "explanation", lang: "zh-CN" }, f.explanation || t("finding.withheld")),
        placeCell([f.division_name], f.division_code),
        h("td", {}, statusBadge(f.status)),
        h("td", { class: "num" }, f.score != null ? f.score.toFixed(2) : ""),
      ),
    );
    clear(
      this.body,
      h(
        "table",
        { class: "list" },
        h(
          "thead",
          {},
          h("tr", {}, ["col.severity", "col.title", "col.explanation", "col.division", "col.status", "col.score"].map((k) => h("th", { scope: "col" }, t(k)))),
        ),
        h("tbody", {}, rows),
      ),
      pager(res.page, res.page * res.size < res.total, (p) => this.load(p), res.total),
    );
  }

  rerender() {
    if (this.loaded) this.show().then(() => this.load(this.page));
  }
}

export class CommunitiesView {
  constructor(form, body, schema, { openCommunity }) {
    this.form = form;
    this.body = body;
    this.schema = schema;
    this.openCommunity = openCommunity;
    this.page = 1;
    this.loaded = false;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.load(1);
    });
  }

  async show() {
    if (!this.loaded) await this.load(1);
  }

  async load(page) {
    this.page = page;
    this.loaded = true;
    clear(this.body, h("p", { class: "muted" }, t("common.loading")));
    try {
      const res = await api.communities(this.form.elements.order.value, page, SIZE);
      this.#render(res);
    } catch (err) {
      if (err.status === 503) {
        clear(
          this.body,
          h("p", { class: "notice", role: "status" }, t("communities.not_ready"), " ", h("button", { type: "button", onclick: () => this.load(page) }, t("common.apply"))),
        );
        return;
      }
      clear(this.body, errorBox(err));
    }
  }

  #render(res) {
    if (!res.items.length) {
      clear(this.body, h("p", { class: "muted" }, t("common.empty")));
      return;
    }
    const members = (by) =>
      Object.entries(by || {})
        .sort((a, b) => b[1] - a[1])
        .map(([l, n]) => `${labelName(this.schema, l)} ${n}`)
        .join(lang() === "zh" ? "、" : ", ");
    const rows = res.items.map((c) =>
      h(
        "tr",
        {},
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => this.openCommunity(c.id) }, `#${c.id}`)),
        h("td", { class: "num" }, c.size),
        h("td", { class: "num" }, c.findings),
        h("td", { class: "num", title: c.risk == null ? t("communities.partial") : "" }, c.risk == null ? "—" : c.risk.toFixed(2)),
        h("td", { class: "small" }, members(c.by_label)),
        h("td", { class: "explanation", lang: "zh-CN" }, c.explanation || ""),
      ),
    );
    clear(
      this.body,
      h(
        "table",
        { class: "list" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["communities.id", "communities.size", "communities.findings", "communities.risk", "communities.members", "communities.explanation"].map((k) =>
              h("th", { scope: "col" }, t(k)),
            ),
          ),
        ),
        h("tbody", {}, rows),
      ),
      pager(res.page, res.has_more, (p) => this.load(p)),
    );
  }

  rerender() {
    if (this.loaded) this.load(this.page);
  }
}
