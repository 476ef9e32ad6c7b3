// The 案件 view: the board of cases with their deadlines (coloured from the API's
// `due.flag`), a case's page (timeline, links, dispositions, its graph, the transition
// buttons the `can` block allows, the disposition form), and opening a case from a lead,
// a finding or a complaint. The complaint register and the statistics are sections of
// the same view (intake.js, statsview.js).

import { api } from "./api.js";
import { CaseGraph } from "./casegraph.js";
import { allowedTransitions, checkAssign, checkClose, checkDisposition, checkReason, dueWords, flagClass } from "./casestate.js";
import { clear, errorBox, fmtValue, h } from "./dom.js";
import { t } from "./i18n.js";

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
export { today };

const user = (name) => h("span", { class: "user" }, name || "—");
export const stateName = (s) => (s ? t(`state.${s}`) : "");

/** The deadline chip: the colour from `due.flag`, the words from the pending deadline. */
export function dueChip(due) {
  const [key, vars] = dueWords(due);
  return h("span", { class: `due ${flagClass(due)}`, title: due?.next_due || "" }, t(key, vars));
}

/** A form's fields as an object (checkboxes "on" when ticked). */
const values = (form) => Object.fromEntries(new FormData(form));

/** Ask for the details of a new case (a modal dialog); resolves to the case or null. */
export function openCaseDialog(source, title) {
  return new Promise((resolve) => {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      { method: "dialog", class: "case-open" },
      h("h2", {}, t(source.kind === "lead" ? "case.open_from_lead" : source.kind === "finding" ? "case.open_from_finding" : "case.open_from_complaint")),
      h("p", { class: "muted", lang: "zh-CN" }, title || ""),
      h("label", {}, t("case.title"), h("input", { name: "title", maxlength: 500, value: title || "" })),
      h("label", {}, t("case.assignee"), h("input", { name: "assignee", maxlength: 100, placeholder: t("case.assignee_hint") })),
      h("label", {}, t("case.received"), h("input", { name: "received", type: "date", value: today(), max: today() })),
      h("label", {}, t("case.reason"), h("textarea", { name: "reason", rows: 2, maxlength: 4000 })),
      error,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "primary", value: "open" }, t("case.open")),
        h("button", { type: "button", onclick: () => dialog.close("") }, t("common.cancel")),
      ),
    );
    const dialog = h("dialog", { class: "dialog" }, form);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const v = values(form);
      error.hidden = true;
      try {
        const body = { source, title: v.title.trim() || null, assignee: v.assignee.trim() || null, received: v.received || null, reason: v.reason.trim() || null };
        const c = await api.openCase(body);
        dialog.close("open");
        dialog.remove();
        resolve(c);
      } catch (err) {
        error.hidden = false;
        error.textContent = err.message;
      }
    });
    dialog.addEventListener("cancel", () => resolve(null));
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "open") {
        dialog.remove();
        resolve(null);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export class CasesView {
  /** @param hooks {schema, can(cap), openFinding(ref), openInGraph(sub), section(name)} */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.form = root.querySelector("#cases-filter");
    this.body = root.querySelector("#cases-body");
    this.counts = root.querySelector("#cases-counts");
    this.pageEl = root.querySelector("#case-page");
    this.page = 1;
    this.loaded = false;
    this.current = null; // the case shown, as the API last answered it
    this.vocab = null;
    this.graph = null;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.load(1);
    });
  }

  async vocabulary() {
    if (!this.vocab) this.vocab = await api.vocabulary();
    return this.vocab;
  }

  /** Every time the board is shown, as it is now: cases change from other pages too. */
  async show() {
    await this.load(this.loaded ? this.page : 1);
  }

  // -- the board ---------------------------------------------------------------------------
  async load(page) {
    this.page = page;
    this.loaded = true;
    const v = values(this.form);
    const params = { state: v.state, flag: v.flag, division: v.division, assignee: v.mine ? this.hooks.me()?.name : undefined, page, size: 50 };
    clear(this.body, h("p", { class: "muted" }, t("common.loading")));
    try {
      const res = await api.cases(params);
      this.#renderBoard(res);
    } catch (err) {
      clear(this.counts);
      clear(this.body, errorBox(err));
    }
  }

  #renderBoard(res) {
    const flagButton = (flag) =>
      h(
        "button",
        {
          type: "button",
          class: `due due-${flag}`,
          dataset: { flag },
          onclick: () => {
            this.form.elements.flag.value = flag;
            this.load(1);
          },
        },
        t(`cases.count_${flag}`, { n: res.counts[flag] }),
      );
    clear(this.counts, h("span", { class: "muted" }, t("cases.open_counts")), flagButton("overdue"), flagButton("due_soon"), flagButton("ok"));
    if (!res.items.length) {
      clear(this.body, h("p", { class: "muted" }, t("common.empty")));
      return;
    }
    const rows = res.items.map((c) =>
      h(
        "tr",
        { class: `case-row ${flagClass(c.due)}`, dataset: { case: c.case_no } },
        h("td", {}, h("button", { type: "button", class: "link case-link", onclick: () => this.openCase(c.case_no) }, c.case_no)),
        h("td", { lang: "zh-CN" }, c.title || ""),
        h("td", { title: c.division_code }, c.division_name || c.division_code),
        h("td", {}, h("span", { class: `state state-${c.state}` }, stateName(c.state))),
        h("td", {}, user(c.assignee)),
        h("td", {}, c.received),
        h("td", {}, dueChip(c.due), c.extension_pending ? h("span", { class: "chip pending" }, t("case.extension_pending")) : null, c.extensions ? h("span", { class: "chip" }, t("case.extended")) : null),
      ),
    );
    const heads = ["case.no", "case.title", "col.division", "case.state", "case.assignee", "case.received", "case.deadline"];
    clear(
      this.body,
      h("table", { class: "list board" }, h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, t(k))))), h("tbody", {}, rows)),
      h(
        "nav",
        { class: "pager" },
        h("button", { type: "button", disabled: res.page <= 1, onclick: () => this.load(res.page - 1) }, t("common.prev")),
        h("span", {}, t("common.page", { n: res.page }), ` · ${t("cases.total", { n: res.total })}`),
        h("button", { type: "button", disabled: res.page * res.size >= res.total, onclick: () => this.load(res.page + 1) }, t("common.next")),
      ),
    );
  }

  // -- one case ----------------------------------------------------------------------------
  async openCase(no) {
    this.hooks.section("case");
    history.replaceState(null, "", `#case=${encodeURIComponent(no)}`);
    clear(this.pageEl, h("p", { class: "muted" }, t("common.loading")));
    try {
      const [c] = await Promise.all([api.caseOne(no), this.hooks.can("cases") ? this.vocabulary() : null]);
      this.#renderCase(c);
      this.#loadGraph(no);
    } catch (err) {
      clear(this.pageEl, this.#back(), errorBox(err));
    }
  }

  #back() {
    return h(
      "button",
      {
        type: "button",
        class: "link back",
        onclick: () => {
          this.hooks.section("board");
          history.replaceState(null, "", "#view=cases");
          this.load(this.page);
        },
      },
      t("case.back"),
    );
  }

  #renderCase(c) {
    this.current = c;
    const due = c.due || {};
    const facts = [
      ["case.state", h("span", { class: `state state-${c.state}` }, stateName(c.state))],
      ["col.division", c.division_name || c.division_code],
      ["case.assignee", user(c.assignee)],
      ["case.opened_by", user(c.opened_by)],
      ["case.received", c.received],
      ["case.accept_due", due.accept_due],
      ["case.accepted", c.accepted],
      ["case.close_due", due.close_due],
      ["case.closed", c.closed],
      ["case.extensions", c.extensions ? t("case.extended") : t("case.not_extended")],
      ["case.extension_reason", c.extension_reason],
      ["case.rejected_reason", c.rejected_reason],
      ["case.outcome", c.outcome ? t(`outcome.${c.outcome}`) : null],
      ["case.amount_involved", c.amount_involved != null ? fmtValue(c.amount_involved, "money") : null],
      ["case.amount_recovered", c.amount_recovered != null ? fmtValue(c.amount_recovered, "money") : null],
      ["case.summary", c.summary],
      ["case.public_outcome", c.public_outcome],
    ].filter(([, v]) => v !== null && v !== undefined && v !== "");
    const graphBox = h("div", { class: "case-graph", role: "img", "aria-label": t("case.graph") });
    this.graphBox = graphBox;
    this.graphNote = h("p", { class: "muted small" });
    clear(
      this.pageEl,
      this.#back(),
      h(
        "header",
        { class: "case-head" },
        h("h2", {}, h("code", {}, c.case_no), " ", h("span", { lang: "zh-CN" }, c.title || "")),
        dueChip(due),
        c.extension_pending ? h("span", { class: "chip pending" }, t("case.extension_pending")) : null,
      ),
      h("div", { class: "case-actions actions", role: "toolbar", "aria-label": t("case.actions") }, this.#buttons(c)),
      h("div", { class: "action-form" }),
      h(
        "div",
        { class: "case-columns" },
        h(
          "div",
          {},
          h("h3", {}, t("case.facts")),
          h("table", { class: "props" }, facts.map(([k, v]) => h("tr", {}, h("th", {}, t(k)), h("td", {}, v)))),
          h("h3", {}, t("case.links")),
          this.#links(c),
          h("h3", {}, t("case.dispositions")),
          this.#dispositions(c),
          c.can?.dispose ? this.#disposeForm() : null,
        ),
        h(
          "div",
          {},
          h("h3", {}, t("case.graph"), " ", h("button", { type: "button", class: "link", onclick: () => this.#toGraph() }, t("case.open_in_graph"))),
          graphBox,
          this.graphNote,
          h("h3", {}, t("case.timeline")),
          this.#timeline(c),
        ),
      ),
    );
  }

  #buttons(c) {
    const out = allowedTransitions(c.can).map((tr) =>
      h("button", { type: "button", class: `act act-${tr.action}${tr.action === "close" ? " primary" : ""}`, dataset: { action: tr.action }, onclick: () => this.#startAction(tr) }, t(`action.${tr.action}`)),
    );
    out.push(h("button", { type: "button", class: "report", onclick: () => this.#report(c.case_no) }, t("case.report")));
    return out;
  }

  async #report(no) {
    try {
      const html = await api.caseReport(no);
      const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
      const win = window.open(url, "_blank");
      if (win) win.opener = null;
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      this.#formError(err.message);
    }
  }

  #formError(message) {
    const box = this.pageEl.querySelector(".action-form");
    clear(box, h("p", { class: "error", role: "alert" }, message));
  }

  /** A transition: at once where it needs nothing, else a small form under the buttons. */
  #startAction(tr) {
    const c = this.current;
    const box = this.pageEl.querySelector(".action-form");
    if (tr.form === "plain") {
      this.#act(tr.path, { version: c.version });
      return;
    }
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const fields =
      tr.form === "close"
        ? [
            h(
              "label",
              {},
              t("case.outcome"),
              h("select", { name: "outcome" }, h("option", { value: "" }, t("close.pick")), this.vocab.outcomes.map((o) => h("option", { value: o }, t(`outcome.${o}`)))),
            ),
            h("label", {}, t("case.amount_involved_yuan"), h("input", { name: "amount_involved", inputmode: "decimal", size: 14 })),
            h("label", {}, t("case.amount_recovered_yuan"), h("input", { name: "amount_recovered", inputmode: "decimal", size: 14 })),
            h("label", { class: "wide" }, t("case.summary"), h("textarea", { name: "summary", rows: 3, maxlength: 20000 })),
            h("label", { class: "wide" }, t("case.public_outcome"), h("textarea", { name: "public_outcome", rows: 2, maxlength: 500 })),
          ]
        : tr.form === "assign"
          ? [
              h("label", {}, t("case.assignee"), h("input", { name: "assignee", maxlength: 100, value: c.assignee || "" })),
              h("label", { class: "wide" }, t("case.reason"), h("input", { name: "reason", maxlength: 4000 })),
            ]
          : [h("label", { class: "wide" }, t("case.reason"), h("textarea", { name: "reason", rows: 2, maxlength: 4000 }))];
    const form = h(
      "form",
      { class: `act-form form-${tr.action}` },
      h("h4", {}, t(`action.${tr.action}`)),
      fields,
      tr.form === "assign" ? null : h("label", {}, t("action.on"), h("input", { name: "on", type: "date", max: today() })),
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("action.do", { action: t(`action.${tr.action}`) })), h("button", { type: "button", onclick: () => clear(box) }, t("common.cancel"))),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const v = values(form);
      const checked = tr.form === "close" ? checkClose(v, this.vocab.outcomes) : tr.form === "assign" ? checkAssign(v) : checkReason(v);
      if (checked.errors.length) {
        error.hidden = false;
        error.textContent = checked.errors.map((k) => t(k)).join(" ");
        return;
      }
      this.#act(tr.path, { ...checked.body, version: c.version }, error);
    });
    clear(box, form);
    form.elements[0].focus();
  }

  async #act(path, body, errorEl) {
    const no = this.current.case_no;
    try {
      const c = await api.caseAction(no, path, body);
      this.#renderCase(c);
      this.#loadGraph(no);
      this.hooks.status("case.done", { action: () => t(`action.${path === "dispositions" ? "dispose" : path.replace(/-/g, "_")}`), no });
    } catch (err) {
      if (errorEl) {
        errorEl.hidden = false;
        errorEl.textContent = err.message;
      } else this.#formError(err.message);
    }
  }

  #links(c) {
    if (!c.links?.length) return h("p", { class: "muted" }, t("common.empty"));
    return h(
      "ul",
      { class: "case-links" },
      c.links.map((l) =>
        h(
          "li",
          {},
          h("span", { class: "chip" }, t(`source.${l.kind}`)),
          " ",
          l.kind === "finding" && l.ref
            ? h("button", { type: "button", class: "link", onclick: () => this.hooks.openFinding(l.ref) }, l.title || t("source.finding"))
            : h("span", { lang: "zh-CN" }, l.title || (l.kind === "complaint" ? l.id : t(`source.${l.kind}`))),
          " ",
          h("span", { class: "muted small" }, t("case.added", { on: (l.added_at || "").slice(0, 10) }), " ", user(l.added_by)),
        ),
      ),
    );
  }

  #dispositions(c) {
    if (!c.dispositions?.length) return h("p", { class: "muted" }, t("case.no_dispositions"));
    return h(
      "table",
      { class: "list dispositions" },
      h("thead", {}, h("tr", {}, ["dispose.person", "dispose.kind", "dispose.measure", "dispose.decided", "dispose.note"].map((k) => h("th", { scope: "col" }, t(k))))),
      h(
        "tbody",
        {},
        c.dispositions.map((d) =>
          h(
            "tr",
            {},
            h("td", {}, d.person_name || "", " ", h("code", { class: "muted" }, d.person)),
            h("td", {}, t(`kind.${d.kind}`)),
            h("td", {}, d.measure ? t(`measure.${d.measure}`) : ""),
            h("td", {}, d.decided || ""),
            h("td", { lang: "zh-CN" }, d.note || ""),
          ),
        ),
      ),
    );
  }

  /** Dispositions name a Person: one of the case's graph, or one found by search. */
  #disposeForm() {
    const kinds = this.vocab.disposition_kinds;
    const person = h("select", { name: "person", class: "person-pick" }, h("option", { value: "" }, t("dispose.pick_person")));
    this.personSelect = person;
    const search = h("input", { type: "search", class: "person-search", placeholder: t("dispose.search"), autocomplete: "off" });
    const found = h("ul", { class: "person-found" });
    search.addEventListener("keydown", async (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      const q = search.value.trim();
      if (!q) return;
      try {
        const res = await api.search(q, { label: "Person", size: 8 });
        clear(
          found,
          res.items.length
            ? res.items.map(({ node: n }) =>
                h("li", {}, h("button", { type: "button", class: "link", onclick: () => this.#addPerson(n.ref, n.caption, n.key, true) }, `${n.caption || ""} ${n.key || ""}`)),
              )
            : h("li", { class: "muted" }, t("search.none")),
        );
      } catch (err) {
        clear(found, h("li", { class: "error" }, err.message));
      }
    });
    const measure = h("select", { name: "measure" });
    const measureLabel = h("label", {}, t("dispose.measure"), measure);
    const kind = h("select", { name: "kind" }, kinds.map((k) => h("option", { value: k.kind }, t(`kind.${k.kind}`))));
    const fillMeasures = () => {
      const k = kinds.find((x) => x.kind === kind.value);
      clear(measure, h("option", { value: "" }, t("dispose.pick_measure")), (k?.measures || []).map((m) => h("option", { value: m }, t(`measure.${m}`))));
      measureLabel.hidden = !k?.measures.length;
    };
    kind.addEventListener("change", fillMeasures);
    fillMeasures();
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      { class: "dispose-form" },
      h("h4", {}, t("dispose.title")),
      h("label", {}, t("dispose.person"), person),
      h("label", {}, t("dispose.or_search"), search),
      found,
      h("label", {}, t("dispose.kind"), kind),
      measureLabel,
      h("label", {}, t("dispose.decided"), h("input", { name: "decided", type: "date", max: today() })),
      h("label", { class: "wide" }, t("dispose.note"), h("input", { name: "note", maxlength: 4000 })),
      error,
      h("button", { type: "submit", class: "primary" }, t("dispose.save")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const checked = checkDisposition(values(form), kinds);
      if (checked.error) {
        error.hidden = false;
        error.textContent = t(checked.error);
        return;
      }
      this.#act("dispositions", { dispositions: [checked.value], version: this.current.version }, error);
    });
    return form;
  }

  #addPerson(ref, caption, key, select) {
    const sel = this.personSelect;
    if (!sel) return;
    if (![...sel.options].some((o) => o.value === ref)) sel.append(h("option", { value: ref }, `${caption || ""}${key ? ` · ${key}` : ""}`));
    if (select) sel.value = ref;
  }

  #timeline(c) {
    return h(
      "ol",
      { class: "timeline" },
      (c.timeline || []).map((e) =>
        h(
          "li",
          {},
          h("time", {}, e.on || (e.at || "").slice(0, 10)),
          " ",
          h("strong", {}, t(`action.${e.action}`)),
          e.to_state && e.to_state !== e.from_state ? h("span", { class: "muted" }, ` → ${stateName(e.to_state)}`) : null,
          " · ",
          user(e.user),
          e.details?.close_due ? h("div", { class: "reason" }, t("case.new_close_due", { date: e.details.close_due })) : null,
          e.reason ? h("div", { class: "reason", lang: "zh-CN" }, e.reason) : null,
        ),
      ),
    );
  }

  async #loadGraph(no) {
    try {
      const sub = await api.caseGraph(no);
      if (this.current?.case_no !== no) return;
      this.sub = sub;
      this.graph?.destroy();
      this.graph = new CaseGraph(this.graphBox, this.hooks.schema);
      this.graph.draw(sub);
      for (const n of sub.nodes) if (n.label === "Person") this.#addPerson(n.ref, n.caption, n.key, false);
      this.graphNote.textContent = sub.redacted ? t("case.graph_redacted", { n: sub.redacted }) : "";
    } catch (err) {
      this.graphNote.textContent = err.message;
    }
  }

  #toGraph() {
    if (this.sub) this.hooks.openInGraph(this.sub);
  }

  rerender() {
    if (!this.loaded) return;
    if (this.current && !this.pageEl.hidden) this.openCase(this.current.case_no);
    else this.load(this.page);
  }
}
