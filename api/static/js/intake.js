// Complaints registered by staff (信访举报登记): a letter, visit or call entered by a
// complaint handler; guanxi's suggestions of what it is about, each confirmed or rejected;
// open cases about the same subjects offered as duplicates to merge; or a case opened
// from it. The reporter's identity goes to the API only and is shown back only to the
// complaint-handler role (the API answers null to every other role).

import { api } from "./api.js";
import { checkIntake } from "./casestate.js";
import { stateName, today } from "./cases.js";
import { clear, errorBox, h } from "./dom.js";
import { labelName, t } from "./i18n.js";

const user = (name) => h("span", { class: "user" }, name || "—");

export class IntakeView {
  /** @param hooks {schema, can, me(), vocabulary(), openCase(source, title), showCase(no)} */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.built = false;
  }

  /** A change of language rebuilds the form (its labels are drawn once). */
  rerender() {
    if (!this.built) return;
    this.built = false;
    if (!this.root.hidden) this.show();
  }

  async show() {
    if (!this.built) await this.#build();
    this.#list();
  }

  async #build() {
    this.built = true;
    let vocab;
    try {
      vocab = await this.hooks.vocabulary();
    } catch (err) {
      clear(this.root, errorBox(err));
      this.built = false;
      return;
    }
    this.channels = vocab.channels;
    const me = this.hooks.me();
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      { id: "intake-form", class: "intake-form", autocomplete: "off" },
      h("h3", {}, t("intake.title")),
      h(
        "label",
        {},
        t("intake.division"),
        h("input", { name: "division_code", inputmode: "numeric", pattern: "[0-9]{2,12}", maxlength: 12, size: 14, value: (me?.divisions || []).find(Boolean) || "", title: t("intake.division_hint") }),
      ),
      h("label", {}, t("intake.channel"), h("select", { name: "channel" }, this.channels.map((c) => h("option", { value: c }, t(`channel.${c}`))))),
      h("label", {}, t("intake.received"), h("input", { name: "received", type: "date", value: today(), max: today() })),
      h("label", { class: "wide" }, t("intake.summary"), h("textarea", { name: "summary", rows: 4, maxlength: 4000, placeholder: t("intake.summary_hint") })),
      h(
        "fieldset",
        { class: "reporter" },
        h("legend", {}, t("intake.reporter")),
        h("label", { class: "check" }, h("input", { name: "anonymous", type: "checkbox" }), " ", t("intake.anonymous")),
        h("label", {}, t("intake.reporter_name"), h("input", { name: "reporter_name", maxlength: 100 })),
        h("label", {}, t("intake.reporter_phone"), h("input", { name: "reporter_phone", maxlength: 50, inputmode: "tel" })),
        h("label", {}, t("intake.reporter_address"), h("input", { name: "reporter_address", maxlength: 300 })),
        h("p", { class: "muted small" }, t("intake.reporter_note")),
      ),
      error,
      h("button", { type: "submit", class: "primary" }, t("intake.register")),
    );
    const anonymous = form.elements.anonymous;
    anonymous.addEventListener("change", () => {
      for (const n of ["reporter_name", "reporter_phone", "reporter_address"]) form.elements[n].disabled = anonymous.checked;
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const checked = checkIntake(Object.fromEntries(new FormData(form)), this.channels, today());
      error.hidden = !checked.errors.length;
      if (checked.errors.length) {
        error.textContent = checked.errors.map((k) => t(k)).join(" ");
        return;
      }
      try {
        const out = await api.register(checked.body);
        form.reset();
        form.elements.received.value = today();
        this.#showOne(out);
        this.#list();
      } catch (err) {
        error.hidden = false;
        error.textContent = err.message;
      }
    });
    this.detail = h("div", { class: "intake-detail", "aria-live": "polite" });
    this.listEl = h("div", { class: "intake-list" });
    clear(this.root, h("div", { class: "intake-columns" }, form, h("div", {}, this.detail, h("h3", {}, t("intake.recent")), this.listEl)));
  }

  async #list() {
    if (!this.listEl) return;
    try {
      const res = await api.intakeList({ size: 20 });
      if (!res.items.length) {
        clear(this.listEl, h("p", { class: "muted" }, t("common.empty")));
        return;
      }
      clear(
        this.listEl,
        h(
          "table",
          { class: "list" },
          h("thead", {}, h("tr", {}, ["intake.id", "intake.received", "intake.channel", "intake.category", "col.division", "intake.case"].map((k) => h("th", { scope: "col" }, t(k))))),
          h(
            "tbody",
            {},
            res.items.map((i) =>
              h(
                "tr",
                {},
                h("td", {}, h("button", { type: "button", class: "link", onclick: () => this.#showOne(i) }, i.complaint_id)),
                h("td", {}, i.received),
                h("td", {}, t(`channel.${i.channel}`)),
                h("td", {}, t(`category.${i.category}`)),
                h("td", {}, i.division_name || i.division_code),
                h("td", {}, i.case_no ? h("button", { type: "button", class: "link", onclick: () => this.hooks.showCase(i.case_no) }, i.case_no) : "—"),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      clear(this.listEl, errorBox(err));
    }
  }

  #showOne(i) {
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const redo = (p) =>
      p.then((out) => {
        this.#showOne(out);
        this.#list();
      }).catch((err) => {
        error.hidden = false;
        error.textContent = err.message;
      });
    const reporter = [i.reporter_name, i.reporter_phone, i.reporter_address].filter(Boolean).join(" · ");
    const suggestions = i.suggestions.length
      ? h(
          "ul",
          { class: "suggested" },
          i.suggestions.map((s) =>
            h(
              "li",
              { class: `suggestion-${s.decision}`, dataset: { suggestion: s.id } },
              h("span", { class: "chip" }, labelName(this.hooks.schema, s.label)),
              " ",
              h("strong", {}, s.name),
              s.matched && s.matched !== s.name ? h("span", { class: "muted" }, ` ${t("intake.matched", { text: s.matched })}`) : null,
              " ",
              h("span", { class: `decision decision-${s.decision}` }, t(`decision.${s.decision}`)),
              s.decided_by ? [" ", user(s.decided_by)] : null,
              " ",
              s.decision !== "confirmed" ? h("button", { type: "button", class: "confirm", onclick: () => redo(api.decide(i.complaint_id, s.id, "confirmed")) }, t("intake.confirm")) : null,
              s.decision !== "rejected" ? h("button", { type: "button", class: "reject", onclick: () => redo(api.decide(i.complaint_id, s.id, "rejected")) }, t("intake.reject")) : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, t("intake.no_suggestions"));
    const duplicates = i.duplicates.length
      ? h(
          "ul",
          { class: "duplicates" },
          i.duplicates.map((d) =>
            h(
              "li",
              { dataset: { case: d.case_no } },
              h("button", { type: "button", class: "link", onclick: () => this.hooks.showCase(d.case_no) }, d.case_no),
              " ",
              h("span", { lang: "zh-CN" }, d.title || ""),
              " ",
              h("span", { class: "muted" }, `${d.received} · ${stateName(d.state)} · ${t("intake.shared", { names: (d.shared_subjects || []).join("、") })}`),
              " ",
              this.hooks.can("handle_cases") && !i.case_no
                ? h("button", { type: "button", class: "merge", onclick: () => redo(api.merge(i.complaint_id, d.case_no, t("intake.merge_reason"))) }, t("intake.merge"))
                : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, t("intake.no_duplicates"));
    clear(
      this.detail,
      h(
        "section",
        { class: "intake-one", dataset: { complaint: i.complaint_id } },
        h("h3", {}, t("intake.registered", { id: i.complaint_id })),
        h(
          "table",
          { class: "props" },
          [
            ["intake.division", i.division_name || i.division_code],
            ["intake.channel", t(`channel.${i.channel}`)],
            ["intake.received", i.received],
            ["intake.accept_due", i.accept_due],
            ["intake.category", t(`category.${i.category}`)],
            ["intake.summary", h("span", { lang: "zh-CN" }, i.summary || "")],
            ["intake.reporter", i.anonymous ? t("intake.anonymous") : reporter || t("intake.reporter_hidden")],
            ["intake.case", i.case_no ? h("button", { type: "button", class: "link", onclick: () => this.hooks.showCase(i.case_no) }, i.case_no) : "—"],
          ].map(([k, v]) => h("tr", {}, h("th", {}, t(k)), h("td", {}, v))),
        ),
        h("h4", {}, t("intake.suggestions")),
        suggestions,
        h("h4", {}, t("intake.duplicates")),
        duplicates,
        error,
        this.hooks.can("handle_cases") && !i.case_no
          ? h(
              "button",
              { type: "button", class: "primary open-case", onclick: () => this.hooks.openCase({ kind: "complaint", id: i.complaint_id }, i.summary) },
              t("case.open_from_complaint"),
            )
          : null,
      ),
    );
  }
}
