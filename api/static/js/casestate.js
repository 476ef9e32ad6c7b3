// What the 案件 view decides without the DOM: a deadline's colour and words, which
// transition buttons a case's `can` block allows, and the checks of its forms (money in
// yuan to integer fen, a close without outcome, a disposition without its measure).
// Pure functions of the API's JSON, so node's test runner checks them (tests/js).

/** The board's colour class for a case: from the API's own `due.flag`, never recomputed
 * here, so the explorer and the API agree on what is overdue. */
export function flagClass(due) {
  const flag = due?.flag;
  return ["overdue", "due_soon", "ok", "done"].includes(flag) ? `due-${flag}` : "due-unknown";
}

/** The deadline as an i18n key and its values: which deadline is pending, and how far. */
export function dueWords(due) {
  if (!due) return ["due.unknown", {}];
  if (due.flag === "done") return ["due.done", {}];
  const which = due.deadline_state === "awaiting_acceptance" || due.deadline_state === "acceptance_overdue" ? "accept" : "close";
  const date = due.next_due || "";
  const days = due.days_left;
  if (days == null) return [`due.${which}`, { date }];
  if (days < 0) return [`due.${which}_overdue`, { date, n: -days }];
  if (days === 0) return [`due.${which}_today`, { date }];
  return [`due.${which}_left`, { date, n: days }];
}

/** The transition buttons, in the order a case moves, with the form each one needs. */
export const TRANSITIONS = [
  { action: "accept", path: "accept", form: "plain" },
  { action: "reject", path: "reject", form: "reason" },
  { action: "start", path: "start", form: "plain" },
  { action: "request_extension", path: "request-extension", form: "reason" },
  { action: "approve_extension", path: "approve-extension", form: "plain" },
  { action: "refuse_extension", path: "refuse-extension", form: "reason" },
  { action: "close", path: "close", form: "close" },
  { action: "assign", path: "assign", form: "assign" },
];

/** The transitions the caller may take now: exactly those the `can` block allows. */
export function allowedTransitions(can) {
  return TRANSITIONS.filter((t) => can && can[t.action] === true);
}

/** "1,234.5" or "１２３" yuan → integer fen; "" → null; anything else → NaN. */
export function yuanToFen(text) {
  if (text == null) return null;
  const s = String(text)
    .replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s元¥]/g, "");
  if (s === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return NaN;
  const [whole, frac = ""] = s.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

/** Fen as yuan for an input field ("1234.50"); null → "". */
export function fenToYuan(fen) {
  if (fen == null) return "";
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

/** A disposition as the API takes it, or the i18n key of what is wrong with it. */
export function checkDisposition(d, kinds) {
  if (!d.person) return { error: "dispose.need_person" };
  const kind = kinds.find((k) => k.kind === d.kind);
  if (!kind) return { error: "dispose.need_kind" };
  if (kind.measures.length && !kind.measures.includes(d.measure)) return { error: "dispose.need_measure" };
  const out = { person: d.person, kind: d.kind, measure: kind.measures.length ? d.measure : null };
  if (d.decided) out.decided = d.decided;
  if (d.note) out.note = d.note;
  return { value: out };
}

/** The close form → the API's body, or the i18n keys of what is wrong. The API answers
 * 422 without an outcome too; checking here keeps the form open with the reason beside it. */
export function checkClose(v, outcomes) {
  const errors = [];
  if (!outcomes.includes(v.outcome)) errors.push("close.need_outcome");
  const involved = yuanToFen(v.amount_involved);
  const recovered = yuanToFen(v.amount_recovered);
  if (Number.isNaN(involved)) errors.push("close.bad_involved");
  if (Number.isNaN(recovered)) errors.push("close.bad_recovered");
  if (!errors.length && involved != null && recovered != null && recovered > involved) errors.push("close.recovered_more");
  if (errors.length) return { errors };
  const body = { outcome: v.outcome, amount_involved: involved, amount_recovered: recovered, summary: v.summary?.trim() || null };
  // The one sentence a resident who reported online sees with their receipt code.
  if (v.public_outcome?.trim()) body.public_outcome = v.public_outcome.trim();
  if (v.on) body.on = v.on;
  if (v.reason?.trim()) body.reason = v.reason.trim();
  return { errors, body };
}

/** A reason form (reject, extension request, refusal): the reason is required. */
export function checkReason(v) {
  const reason = (v.reason || "").trim();
  if (!reason) return { errors: ["action.need_reason"] };
  const body = { reason };
  if (v.on) body.on = v.on;
  return { errors: [], body };
}

/** The assign form: the new assignee's user name is required. */
export function checkAssign(v) {
  const assignee = (v.assignee || "").trim();
  if (!assignee) return { errors: ["assign.need_assignee"] };
  return { errors: [], body: { assignee, reason: (v.reason || "").trim() || null } };
}

/** The staff complaint form → the API's body, or the i18n keys of what is wrong. */
export function checkIntake(v, channels, today) {
  const errors = [];
  if (!/^[0-9]{2,12}$/.test(v.division_code || "")) errors.push("intake.need_division");
  if (!channels.includes(v.channel)) errors.push("intake.need_channel");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.received || "")) errors.push("intake.need_received");
  else if (today && v.received > today) errors.push("intake.future");
  if (!(v.summary || "").trim()) errors.push("intake.need_summary");
  if (errors.length) return { errors };
  const anonymous = Boolean(v.anonymous);
  const opt = (x) => (anonymous ? null : (x || "").trim() || null);
  return {
    errors,
    body: {
      division_code: v.division_code,
      channel: v.channel,
      received: v.received,
      summary: v.summary.trim(),
      reporter_name: opt(v.reporter_name),
      reporter_phone: opt(v.reporter_phone),
      reporter_address: opt(v.reporter_address),
      anonymous,
    },
  };
}

/** Bars of a chart: one per row, height scaled to the largest value, in a w×h box. */
export function bars(rows, key, { width = 480, height = 160, gap = 6, widest = 64 } = {}) {
  const max = Math.max(0, ...rows.map((r) => Number(r[key]) || 0));
  const n = rows.length || 1;
  // One or two divisions should not fill the chart with a slab.
  const bw = Math.min(widest, Math.max(2, (width - gap * (n + 1)) / n));
  return rows.map((r, i) => {
    const v = Number(r[key]) || 0;
    const bh = max ? Math.round((v / max) * height) : 0;
    return { x: Math.round(gap + i * (bw + gap)), y: height - bh, w: Math.round(bw), h: bh, value: v, row: r };
  });
}
