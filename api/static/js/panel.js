// The side panel: an entity (properties as the API masked them, provenance, findings,
// risk), a relationship, a finding (explanation, evidence, triage), the paths between two
// nodes, or a refusal. Actions are handed back to main.js through `handlers`.

import { clear, errorBox, fmtValue, h, sevBadge, statusBadge } from "./dom.js";
import { labelName, lang, propName, relName, t } from "./i18n.js";
import { patternName } from "./patterns.js";

// Provenance is listed apart; subject_labels only tells the API which subjects to mask.
const HIDDEN_PROPS = new Set(["src", "warnings", "subject_labels"]);

export class Panel {
  constructor(el, schema, handlers) {
    this.el = el;
    this.schema = schema;
    this.on = handlers;
    this.last = null; // [method, args] to re-render on a language change
  }

  #show(method, args, ...children) {
    this.last = [method, args];
    clear(this.el, ...children);
    this.el.scrollTop = 0;
  }

  rerender() {
    if (this.last) this[this.last[0]](...this.last[1]);
    else this.hint();
  }

  hint() {
    this.#show("hint", [], h("p", { class: "muted" }, t("panel.hint")));
  }

  loading() {
    clear(this.el, h("p", { class: "muted" }, t("panel.loading")));
  }

  /** The API refused, failed or found nothing: say so plainly. */
  error(err) {
    this.#show("error", [err], errorBox(err));
  }

  #chip(label) {
    const colour = this.schema.nodes.get(label)?.color || "#adb5bd";
    return h("span", { class: "chip" }, h("span", { class: "dot", style: { background: colour } }), labelName(this.schema, label));
  }

  #props(label, props, masked = [], isRel = false) {
    const info = isRel ? this.schema.rels.get(label) : this.schema.nodes.get(label);
    const types = new Map((info?.properties || []).map((p) => [p.name, p.type]));
    const rows = Object.entries(props || {})
      .filter(([k]) => !HIDDEN_PROPS.has(k))
      .map(([k, v]) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, propName(this.schema, label, k)),
          h("td", {}, this.#value(label, k, v, types.get(k)), masked.includes(k) ? h("span", { class: "masked" }, t("panel.masked")) : null),
        ),
      );
    return h("table", { class: "props" }, h("tbody", {}, rows));
  }

  /** A finding's rule, severity and status are codes: show them by name. */
  #value(label, prop, value, type) {
    if (label === "Finding" && typeof value === "string") {
      if (prop === "pattern") return patternName(value);
      if (prop === "severity") return t(`sev.${value}`);
      if (prop === "status") return t(`status.${value}`);
    }
    return fmtValue(value, type);
  }

  #provenance(src) {
    const items = (src || []).map((s) => {
      const [register, row] = String(s).split("#");
      return h("li", {}, h("code", {}, register), row ? ` ${t("panel.row", { row })}` : "");
    });
    return items.length ? h("ul", { class: "provenance" }, items) : h("p", { class: "muted" }, "—");
  }

  #findingCard(f) {
    return h(
      "li",
      { class: `finding-card sev-border-${f.severity}` },
      h(
        "button",
        { type: "button", class: "finding-open", onclick: () => this.on.openFinding(f.ref) },
        sevBadge(f.severity),
        " ",
        h("strong", {}, f.title || patternName(f.pattern)),
        " ",
        statusBadge(f.status),
      ),
      h("p", { class: "explanation", lang: "zh-CN" }, f.explanation || t("finding.withheld")),
    );
  }

  entity(detail) {
    const n = detail.node;
    const risk = detail.risk;
    const findings = detail.findings || [];
    this.#show(
      "entity",
      [detail],
      h("header", { class: "panel-head" }, h("h2", {}, n.caption || n.key), this.#chip(n.label)),
      n.key ? h("p", { class: "key" }, h("code", {}, n.key)) : null,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => this.on.expand(n.ref) }, t("panel.expand")),
        ["Person", "Enterprise"].includes(n.label)
          ? h("button", { type: "button", onclick: () => this.on.dossier(n.ref) }, t("panel.dossier"))
          : null,
        h("button", { type: "button", onclick: () => this.on.pin(n.ref) }, t("toolbar.pin")),
        h("button", { type: "button", onclick: () => this.on.hide(n.ref) }, t("toolbar.hide")),
      ),
      risk
        ? h(
            "p",
            { class: "risk", title: (risk.components || []).map((c) => `${this.#component(c)}: ${c.value.toFixed(2)}`).join("\n") },
            `${t("panel.risk")}: `,
            h("strong", { class: risk.score > 0 ? "risk-score hot" : "risk-score" }, risk.score.toFixed(2)),
            h("span", { class: "muted small" }, ` (${t(`risk.method.${risk.method}`)})`),
            detail.community ? ` · ${t("panel.community")} ${detail.community.id}` : "",
          )
        : null,
      h("h3", {}, `${t("panel.findings")} (${findings.length})`),
      findings.length
        ? h("ul", { class: "findings" }, findings.map((f) => this.#findingCard(f)))
        : h("p", { class: "muted" }, t("panel.no_findings")),
      h("h3", {}, t("panel.properties")),
      this.#props(n.label, n.properties, n.masked),
      n.withheld?.length ? h("p", { class: "muted small" }, t("panel.withheld", { list: n.withheld.join(", ") })) : null,
      h("h3", {}, t("panel.provenance")),
      this.#provenanceList(detail.provenance),
    );
  }

  /** One part of an entity's risk score: a finding's rule, or exposure at some hops. */
  #component(c) {
    if (c.kind === "finding") return patternName(c.name);
    if (c.kind === "exposure") return t("risk.exposure_hop", { n: c.name.replace(/^hop/, "") });
    return c.name;
  }

  #provenanceList(prov) {
    const items = (prov || []).map((p) =>
      h("li", {}, h("code", {}, p.register), p.row != null ? ` ${t("panel.row", { row: p.row })}` : ""),
    );
    return items.length ? h("ul", { class: "provenance" }, items) : h("p", { class: "muted" }, "—");
  }

  edge(rel, from, to) {
    const p = rel.properties || {};
    const info = this.schema.rels.get(rel.type);
    const valid =
      p.valid_from || p.valid_to
        ? t("panel.from_to", { from: p.valid_from || "…", to: p.valid_to || t("panel.open_end") })
        : null;
    this.#show(
      "edge",
      [rel, from, to],
      h("header", { class: "panel-head" }, h("h2", {}, relName(this.schema, rel.type)), h("span", { class: "chip" }, rel.type)),
      h("p", { class: "sentence", lang: "zh-CN" }, `${from?.caption || "?"} ${info?.verb_zh || rel.type} ${to?.caption || "?"}`),
      valid ? h("p", {}, `${t("panel.valid")}: ${valid}`) : null,
      h("h3", {}, t("panel.properties")),
      this.#props(rel.type, p, [], true),
      h("h3", {}, t("panel.provenance")),
      this.#provenance(p.src),
    );
  }

  finding(f) {
    const canTriage = this.on.can("triage");
    const note = h("textarea", { id: "triage-note", rows: 3, maxlength: 4000 }, f.note || "");
    const result = h("p", { class: "triage-result", role: "status" });
    const act = (status) => async () => {
      try {
        const out = await this.on.triage(f.ref, status, note.value);
        // The panel was redrawn with the new status: report on the new form.
        const el = this.el.querySelector(".triage-result") || result;
        el.textContent = t("finding.saved", { status: t(`status.${out.status}`) });
        el.className = "triage-result ok";
      } catch (err) {
        result.textContent = err.message;
        result.className = "triage-result error";
      }
    };
    this.#show(
      "finding",
      [f],
      h("header", { class: "panel-head" }, h("h2", {}, f.title || f.pattern), this.#chip("Finding")),
      h("p", {}, sevBadge(f.severity), " ", statusBadge(f.status), lang() === "zh" ? null : ` ${t("finding.rule", { name: patternName(f.pattern) })}`),
      h("p", { class: "muted small" }, `${t("finding.score")} ${f.score ?? "—"} · ${t("finding.detected")} ${f.detected_at || "—"} · ${f.division_code || ""}`),
      h("h3", {}, t("finding.explanation")),
      h("p", { class: "explanation", lang: "zh-CN" }, f.explanation || t("finding.withheld")),
      f.redacted ? h("p", { class: "notice" }, t("finding.redacted", { n: f.redacted })) : null,
      h("h3", {}, t("finding.subjects")),
      h("ul", { class: "subjects" }, (f.subjects || []).map((s) => h("li", {}, h("code", {}, s)))),
      h("h3", {}, t("finding.evidence")),
      h(
        "p",
        {},
        h("button", { type: "button", onclick: () => this.on.showEvidence(f) }, t("finding.show_evidence")),
        " ",
        h("span", { class: "muted small" }, t("finding.evidence_status", { s: f.evidence_status ? t(`evidence.${f.evidence_status}`) : "—" })),
      ),
      h(
        "form",
        { class: "triage", onsubmit: (e) => e.preventDefault(), "aria-label": t("finding.triage") },
        h("h3", {}, t("finding.triage")),
        h("label", { for: "triage-note" }, t("finding.note")),
        note,
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "confirm", onclick: act("confirmed"), disabled: !canTriage }, t("finding.confirm")),
          h("button", { type: "button", class: "dismiss", onclick: act("dismissed"), disabled: !canTriage }, t("finding.dismiss")),
          h("button", { type: "button", onclick: act("new"), disabled: !canTriage }, t("finding.reopen")),
        ),
        result,
      ),
      (f.history || []).length
        ? h(
            "div",
            {},
            h("h3", {}, t("finding.history")),
            h(
              "ol",
              { class: "history" },
              f.history.map((x) =>
                h(
                  "li",
                  {},
                  `${x.at.slice(0, 16).replace("T", " ")} `,
                  h("span", { class: "user" }, x.user),
                  `: ${x.old_status ? t(`status.${x.old_status}`) : "—"} → ${t(`status.${x.new_status}`)}`,
                  x.note ? ` · ${x.note}` : "",
                ),
              ),
            ),
          )
        : null,
    );
  }

  paths(result, a, b, maxHops) {
    const list = result.paths || [];
    this.#show(
      "paths",
      [result, a, b, maxHops],
      h("h2", {}, t("paths.title", { a: a?.caption || "?", b: b?.caption || "?" })),
      list.length ? null : h("p", { class: "notice" }, t("paths.none", { hops: maxHops })),
      result.truncated ? h("p", { class: "muted small" }, t("paths.truncated")) : null,
      h(
        "ol",
        { class: "paths" },
        list.map((p, i) =>
          h(
            "li",
            { class: "path" },
            h("button", { type: "button", class: "path-pick", onclick: () => this.on.highlightPath(p) }, t("paths.path", { i: i + 1, n: p.length })),
            h("ol", { class: "hops" }, p.hops.map((hop) => h("li", { class: "hop", lang: "zh-CN" }, hop.text))),
          ),
        ),
      ),
    );
  }

  selection(nodes) {
    this.#show(
      "selection",
      [nodes],
      h("h2", {}, t("panel.selected", { n: nodes.length })),
      h("ul", {}, nodes.map((n) => h("li", {}, this.#chip(n.label), " ", n.caption || n.key))),
      nodes.length === 2
        ? h("button", { type: "button", class: "primary", onclick: () => this.on.paths() }, t("toolbar.paths"))
        : h("p", { class: "muted" }, t("toolbar.paths_tip")),
    );
  }

  community(c) {
    const by = Object.entries(c.by_label || {}).sort((a, b) => b[1] - a[1]);
    this.#show(
      "community",
      [c],
      h("h2", {}, `${t("communities.id")} #${c.id}`),
      h("p", {}, `${t("communities.size")} ${c.size} · ${t("communities.findings")} ${c.findings} · ${t("communities.risk")} ${c.risk == null ? "—" : c.risk.toFixed(2)}`),
      c.explanation ? h("p", { class: "explanation", lang: "zh-CN" }, c.explanation) : null,
      h("ul", { class: "members" }, by.map(([l, n]) => h("li", {}, this.#chip(l), ` ${n}`))),
      h("h3", {}, `${t("panel.findings")} (${(c.top_findings || []).length})`),
      h("ul", { class: "findings" }, (c.top_findings || []).map((f) => this.#findingCard(f))),
    );
  }

  more(m) {
    this.#show(
      "more",
      [m],
      h("p", {}, t("panel.more_node", { n: m.count.toLocaleString(), label: labelName(this.schema, m.label) })),
    );
  }
}
