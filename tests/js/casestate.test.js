// The 案件 view's decisions without a browser: deadline colours and words, buttons from
// the `can` block, the close, reason, disposition and complaint forms, the chart's bars.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  allowedTransitions,
  bars,
  checkAssign,
  checkClose,
  checkDisposition,
  checkIntake,
  checkReason,
  dueWords,
  fenToYuan,
  flagClass,
  yuanToFen,
} from "../../api/static/js/casestate.js";
import { EN, ZH } from "../../api/static/js/strings.js";

test("the colour comes from the API's flag, and an unknown flag is not shown as fine", () => {
  assert.equal(flagClass({ flag: "overdue" }), "due-overdue");
  assert.equal(flagClass({ flag: "due_soon" }), "due-due_soon");
  assert.equal(flagClass({ flag: "ok" }), "due-ok");
  assert.equal(flagClass({ flag: "done" }), "due-done");
  assert.equal(flagClass({ flag: "weird" }), "due-unknown");
  assert.equal(flagClass(null), "due-unknown");
});

test("the deadline's words name the pending deadline and how far it is", () => {
  const accept = { flag: "due_soon", deadline_state: "awaiting_acceptance", next_due: "2024-02-07", days_left: 3 };
  assert.deepEqual(dueWords(accept), ["due.accept_left", { date: "2024-02-07", n: 3 }]);
  const late = { flag: "overdue", deadline_state: "closure_overdue", next_due: "2024-04-30", days_left: -5 };
  assert.deepEqual(dueWords(late), ["due.close_overdue", { date: "2024-04-30", n: 5 }]);
  const today = { flag: "due_soon", deadline_state: "open", next_due: "2024-04-30", days_left: 0 };
  assert.deepEqual(dueWords(today), ["due.close_today", { date: "2024-04-30" }]);
  assert.deepEqual(dueWords({ flag: "done", deadline_state: "closed_on_time" }), ["due.done", {}]);
  for (const [key] of [dueWords(accept), dueWords(late), dueWords(today), dueWords(null)]) {
    assert.ok(ZH[key] && EN[key], key);
  }
});

test("buttons are exactly what the can block allows", () => {
  const can = { accept: false, reject: false, start: true, request_extension: true, approve_extension: false, refuse_extension: false, close: false };
  assert.deepEqual(
    allowedTransitions(can).map((t) => t.action),
    ["start", "request_extension"],
  );
  assert.deepEqual(allowedTransitions({}), []);
  assert.deepEqual(allowedTransitions(null), []);
  // A truthy value other than true (a string from a broken answer) shows no button.
  assert.deepEqual(allowedTransitions({ approve_extension: "yes" }), []);
});

test("assigning needs a user name", () => {
  assert.deepEqual(checkAssign({ assignee: "  " }).errors, ["assign.need_assignee"]);
  assert.deepEqual(checkAssign({ assignee: " li ", reason: "" }).body, { assignee: "li", reason: null });
});

test("yuan typed by people become integer fen", () => {
  assert.equal(yuanToFen("96,000"), 9600000);
  assert.equal(yuanToFen("101000.5"), 10100050);
  assert.equal(yuanToFen(" ¥1,234.56 元"), 123456);
  assert.equal(yuanToFen("１２３"), 12300);
  assert.equal(yuanToFen(""), null);
  assert.ok(Number.isNaN(yuanToFen("12.345")));
  assert.ok(Number.isNaN(yuanToFen("-5")));
  assert.ok(Number.isNaN(yuanToFen("abc")));
  assert.equal(fenToYuan(9600005), "96000.05");
  assert.equal(fenToYuan(null), "");
});

test("closing needs an outcome, sane amounts, and recovers no more than was involved", () => {
  const outcomes = ["查实", "部分属实", "不属实"];
  assert.deepEqual(checkClose({ outcome: "" }, outcomes).errors, ["close.need_outcome"]);
  assert.deepEqual(checkClose({ outcome: "查实", amount_involved: "x" }, outcomes).errors, ["close.bad_involved"]);
  assert.deepEqual(checkClose({ outcome: "查实", amount_involved: "100", amount_recovered: "200" }, outcomes).errors, ["close.recovered_more"]);
  const ok = checkClose({ outcome: "查实", amount_involved: "101,000", amount_recovered: "96000", summary: "  挖井12口  ", reason: "" }, outcomes);
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.body, { outcome: "查实", amount_involved: 10100000, amount_recovered: 9600000, summary: "挖井12口" });
  const published = checkClose({ outcome: "不属实", public_outcome: " 经核查，反映问题不属实。 " }, outcomes);
  assert.equal(published.body.public_outcome, "经核查，反映问题不属实。");
});

test("a reason form refuses a blank reason", () => {
  assert.deepEqual(checkReason({ reason: "   " }).errors, ["action.need_reason"]);
  assert.deepEqual(checkReason({ reason: " 涉及人员多 ", on: "2024-03-01" }).body, { reason: "涉及人员多", on: "2024-03-01" });
});

test("a disposition names a person, a kind, and the kind's measure where it has them", () => {
  const kinds = [
    { kind: "党纪处分", measures: ["警告", "严重警告"] },
    { kind: "诫勉谈话", measures: [] },
  ];
  assert.equal(checkDisposition({ person: "", kind: "诫勉谈话" }, kinds).error, "dispose.need_person");
  assert.equal(checkDisposition({ person: "~a", kind: "记过" }, kinds).error, "dispose.need_kind");
  assert.equal(checkDisposition({ person: "~a", kind: "党纪处分", measure: "" }, kinds).error, "dispose.need_measure");
  assert.deepEqual(checkDisposition({ person: "~a", kind: "诫勉谈话", measure: "警告" }, kinds).value, { person: "~a", kind: "诫勉谈话", measure: null });
  assert.deepEqual(checkDisposition({ person: "~a", kind: "党纪处分", measure: "警告", decided: "2024-05-20" }, kinds).value, {
    person: "~a",
    kind: "党纪处分",
    measure: "警告",
    decided: "2024-05-20",
  });
});

test("a complaint needs division, channel, a past received day and a summary; anonymous drops the reporter", () => {
  const channels = ["来信", "来访", "电话"];
  const bad = checkIntake({ division_code: "x", channel: "飞鸽", received: "2099-01-01", summary: " " }, channels, "2024-06-30");
  assert.deepEqual(bad.errors, ["intake.need_division", "intake.need_channel", "intake.future", "intake.need_summary"]);
  const anon = checkIntake(
    { division_code: "430422", channel: "来信", received: "2024-06-01", summary: "反映村饮水工程", reporter_name: "张三", anonymous: "on" },
    channels,
    "2024-06-30",
  );
  assert.deepEqual(anon.errors, []);
  assert.equal(anon.body.reporter_name, null);
  assert.equal(anon.body.anonymous, true);
  const named = checkIntake({ division_code: "430422", channel: "电话", received: "2024-06-01", summary: "x", reporter_name: " 张三 " }, channels);
  assert.equal(named.body.reporter_name, "张三");
  assert.equal(named.body.reporter_phone, null);
});

test("bars scale to the largest value and stay inside the box", () => {
  const rows = [{ n: 10 }, { n: 5 }, { n: 0 }];
  const b = bars(rows, "n", { width: 300, height: 100 });
  assert.deepEqual(b.map((x) => x.h), [100, 50, 0]);
  assert.deepEqual(b.map((x) => x.y), [0, 50, 100]);
  assert.ok(b.every((x) => x.x >= 0 && x.x + x.w <= 300));
  assert.deepEqual(bars([{ n: 0 }], "n").map((x) => x.h), [0]);
  assert.ok(bars([{ n: 3 }], "n", { width: 560, widest: 64 })[0].w <= 64, "one bar is not a slab");
});
