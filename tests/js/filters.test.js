// The explorer's time filter and community grouping (api/static/js/filters.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  communities,
  dateSpan,
  eventDate,
  fromDays,
  nodeOutsideTime,
  rank,
  relOutsideTime,
  toDays,
} from "../../api/static/js/filters.js";

const node = (label, properties) => ({ label, properties });

test("a disbursement happens on its paid date, else on the first of its period", () => {
  assert.equal(eventDate(node("Disbursement", { paid_date: "2023-03-15", period: "2023-03" })), "2023-03-15");
  assert.equal(eventDate(node("Disbursement", { period: "2023-03" })), "2023-03-01");
  assert.equal(eventDate(node("Person", { birth_date: "1980-01-01" })), null);
  assert.equal(eventDate({ label: "Payment" }), null);
});

test("the time filter hides events after the date and things ended before it", () => {
  const contract = node("Contract", { signed: "2023-06-01" });
  assert.equal(nodeOutsideTime(contract, "2023-05-31", true), true);
  assert.equal(nodeOutsideTime(contract, "2023-06-01", true), false);
  assert.equal(nodeOutsideTime(contract, "2023-05-31", false), false, "events off: nothing hidden");
  const car = node("Vehicle", { registered: "2020-01-01", deregistered: "2022-12-31" });
  assert.equal(nodeOutsideTime(car, "2023-01-01", true), true);
  assert.equal(nodeOutsideTime(car, "2021-06-01", true), false);
});

test("a relationship is outside the date when its validity period does not cover it", () => {
  const term = { properties: { valid_from: "2018-01-01", valid_to: "2020-12-31" } };
  assert.equal(relOutsideTime(term, "2017-12-31"), true);
  assert.equal(relOutsideTime(term, "2019-05-05"), false);
  assert.equal(relOutsideTime(term, "2021-01-01"), true);
  assert.equal(relOutsideTime({ properties: {} }, "1999-01-01"), false, "no period: always on");
  assert.equal(relOutsideTime({ properties: { valid_from: "2019-03" } }, "2019-02-28"), true);
});

test("the date span covers events, ends and validity periods, ignoring placeholders", () => {
  const nodes = [
    node("Contract", { signed: "2021-04-01" }),
    node("Enterprise", { established: "1899-01-01", deregistered: "2024-02-02" }),
  ];
  const rels = [{ properties: { valid_from: "2019-07-01T08:00:00" } }];
  assert.deepEqual(dateSpan(nodes, rels), { lo: "2019-07-01", hi: "2024-02-02" });
  assert.equal(dateSpan([node("Person", {})], []), null);
});

test("days and ISO dates convert both ways", () => {
  assert.equal(toDays("1970-01-02"), 1);
  assert.equal(fromDays(toDays("2024-02-29")), "2024-02-29");
});

test("communities: two triangles joined by nothing are two groups, the larger first", () => {
  const ids = ["a", "b", "c", "d", "x", "y", "z"];
  const links = [
    ["a", "b"], ["b", "c"], ["c", "a"], ["c", "d"],
    ["x", "y"], ["y", "z"], ["z", "x"],
  ];
  const groups = communities(ids, links);
  assert.equal(groups.size, ids.length);
  assert.equal(groups.get("a"), 0);
  assert.equal(groups.get("d"), 0);
  assert.equal(groups.get("x"), 1);
  assert.equal(groups.get("x"), groups.get("z"));
  assert.deepEqual(communities(ids, links), groups, "deterministic");
});

test("rank orders groups by size, ties by name", () => {
  const ranked = rank(new Map([["n1", "q"], ["n2", "p"], ["n3", "q"], ["n4", "r"]]));
  assert.deepEqual([...ranked], [["n1", 0], ["n2", 1], ["n3", 0], ["n4", 2]]);
});
