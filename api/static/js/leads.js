// The findings tab by lead (线索): findings about one acting subject, ranked by the lead's
// score, each row expandable to its findings (triage stays per finding), and a case opened
// from a lead or from one finding.

import { api } from "./api.js";
import { clear, errorBox, fmtValue, h, sevBadge, statusBadge } from "./dom.js";
import { lang, t } from "./i18n.js";
import { patternName } from "./patterns.js";

const join = (xs) => xs.filter(Boolean).join(lang() === "zh" ? "、" : ", ");

/** A lead's or finding's place for people: division names, the code only as a tooltip. */
export function placeCell(names, code) {
  const text = join(names || []);
  return h("td", { class: "place", title: code || "" }, text || t("leads.no_place"));
}

export class LeadsTable {
  /** @param hooks {openFinding(ref), openCase(source, title), triage(ref, status), can(cap)} */
  constructor(hooks) {
    this.hooks = hooks;
    this.open = new Set(); // lead ids expanded, kept across a reload of the page
  }

  render(res, body) {
    const can = this.hooks.can;
    const rows = [];
    for (const lead of res.items) {
      const expanded = this.open.has(lead.lead_id);
      const detail = h("tr", { class: "lead-detail", hidden: !expanded }, h("td", { colspan: 8 }));
      const toggle = h(
        "button",
        {
          type: "button",
          class: "expand",
          "aria-expanded": String(expanded),
          title: t("leads.expand"),
          onclick: () => this.#toggle(lead, toggle, detail),
        },
        expanded ? "▾" : "▸",
      );
      rows.push(
        h(
          "tr",
          { class: `lead-row sev-row-${lead.severity}`, dataset: { lead: lead.lead_id } },
          h("td", {}, toggle),
          h("td", { class: "num" }, lead.score.toFixed(2)),
          h(
            "td",
            { class: "lead-title", lang: "zh-CN" },
            lead.severity ? sevBadge(lead.severity) : null,
            " ",
            h("strong", {}, lead.title || lead.principal?.name || t("leads.withheld")),
          ),
          placeCell(lead.division_names?.length ? lead.division_names : [lead.division_name], lead.division_code),
          h("td", { class: "num" }, fmtValue(lead.amount, "money")),
          h("td", { class: "num lead-count" }, t("leads.count", { n: lead.finding_count, open: lead.open_count })),
          h("td", { class: "small" }, join(lead.patterns.map(patternName))),
          h(
            "td",
            {},
            can("handle_cases")
              ? h("button", { type: "button", class: "open-case", onclick: () => this.hooks.openCase({ kind: "lead", id: lead.lead_id }, lead.title) }, t("case.open_from_lead"))
              : null,
          ),
        ),
        detail,
      );
      if (expanded) this.#fill(lead, detail);
    }
    clear(
      body,
      h(
        "table",
        { class: "list leads" },
        h(
          "thead",
          {},
          h("tr", {}, ["", "col.score", "leads.title", "col.division", "leads.amount", "leads.findings", "leads.patterns", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : ""))),
        ),
        h("tbody", {}, rows),
      ),
    );
  }

  #toggle(lead, button, detail) {
    const now = detail.hidden;
    detail.hidden = !now;
    button.setAttribute("aria-expanded", String(now));
    button.textContent = now ? "▾" : "▸";
    if (now) {
      this.open.add(lead.lead_id);
      this.#fill(lead, detail);
    } else this.open.delete(lead.lead_id);
  }

  async #fill(lead, detail) {
    const cell = detail.firstChild;
    clear(cell, h("p", { class: "muted" }, t("common.loading")));
    try {
      const full = await api.lead(lead.lead_id);
      clear(cell, this.#findings(full.findings, cell, lead));
      // A triage below changes the lead's open count: the row shows the lead as it is now.
      const count = detail.previousElementSibling?.querySelector(".lead-count");
      if (count) count.textContent = t("leads.count", { n: full.finding_count, open: full.open_count });
    } catch (err) {
      clear(cell, errorBox(err));
    }
  }

  #findings(findings, cell, lead) {
    const can = this.hooks.can;
    const rows = findings.map((f) => {
      const result = h("span", { class: "triage-result", role: "status" });
      const triage = (status) =>
        this.hooks
          .triage(f.ref, status)
          .then(() => this.#fill(lead, cell.parentElement))
          .catch((err) => {
            result.className = "triage-result error";
            result.textContent = err.message;
          });
      return h(
        "tr",
        { class: `sev-row-${f.severity}`, dataset: { finding: f.finding_id } },
        h("td", {}, sevBadge(f.severity)),
        h("td", {}, h("button", { type: "button", class: "link", onclick: () => this.hooks.openFinding(f.ref) }, f.title || patternName(f.pattern))),
        h("td", { class: "explanation", lang: "zh-CN" }, f.explanation || t("finding.withheld")),
        placeCell([f.division_name], f.division_code),
        h("td", {}, statusBadge(f.status)),
        h(
          "td",
          { class: "row-actions" },
          can("triage")
            ? [
                f.status !== "confirmed" ? h("button", { type: "button", class: "confirm", onclick: () => triage("confirmed") }, t("finding.confirm")) : null,
                f.status !== "dismissed" ? h("button", { type: "button", onclick: () => triage("dismissed") }, t("finding.dismiss")) : null,
                f.status !== "new" ? h("button", { type: "button", onclick: () => triage("new") }, t("finding.reopen")) : null,
              ]
            : null,
          can("handle_cases")
            ? h("button", { type: "button", class: "open-case", onclick: () => this.hooks.openCase({ kind: "finding", id: f.finding_id }, f.title) }, t("case.open_from_finding"))
            : null,
          result,
        ),
      );
    });
    return h(
      "table",
      { class: "list lead-findings" },
      h("thead", {}, h("tr", {}, ["col.severity", "col.title", "col.explanation", "col.division", "col.status", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
      h("tbody", {}, rows),
    );
  }
}
