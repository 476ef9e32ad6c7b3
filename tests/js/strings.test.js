// The explorer speaks Chinese first and English on request: every string exists in both.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EN, ZH } from "../../api/static/js/strings.js";

test("the Chinese and English tables have the same keys", () => {
  const zh = new Set(Object.keys(ZH));
  const en = new Set(Object.keys(EN));
  assert.deepEqual([...zh].filter((k) => !en.has(k)), [], "keys missing in English");
  assert.deepEqual([...en].filter((k) => !zh.has(k)), [], "keys missing in Chinese");
});

test("a translation keeps the placeholders of the Chinese text", () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, zh] of Object.entries(ZH)) {
    assert.deepEqual(names(EN[key] ?? ""), names(zh), key);
  }
});

test("no string is empty", () => {
  for (const [key, text] of [...Object.entries(ZH), ...Object.entries(EN)]) {
    assert.ok(typeof text === "string" && text.trim(), key);
  }
});
