// Chinese by default, English on request; the choice is kept in localStorage.
// Elements name their text with data-i18n (textContent), data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label; applyI18n() fills them in.

import { EN, ZH } from "./strings.js";

const STORE = "guanxi.lang";

const TABLES = { zh: ZH, en: EN };
const listeners = [];
let current = localStorage.getItem(STORE) === "en" ? "en" : "zh";

export function lang() {
  return current;
}

/** The text for `key` in the current language, with {name} placeholders filled in. */
export function t(key, vars = {}) {
  const text = TABLES[current][key] ?? ZH[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export function setLang(next) {
  current = next === "en" ? "en" : "zh";
  localStorage.setItem(STORE, current);
  document.documentElement.lang = current === "en" ? "en" : "zh-CN";
  applyI18n();
  for (const fn of listeners) fn(current);
}

export function toggleLang() {
  setLang(current === "zh" ? "en" : "zh");
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** Fill every data-i18n* attribute under `root`. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const [attr, name] of [
    ["i18nPlaceholder", "placeholder"],
    ["i18nTitle", "title"],
    ["i18nAriaLabel", "aria-label"],
  ]) {
    const sel = `[data-${attr.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`;
    for (const el of root.querySelectorAll(sel)) el.setAttribute(name, t(el.dataset[attr]));
  }
}

/** A label's name: the schema's Chinese name, or the label itself in English. */
export function labelName(schema, label) {
  const n = schema?.nodes.get(label);
  return current === "zh" && n ? n.zh : label;
}

/** A relationship type's name: the schema's Chinese name, or the type in English. */
export function relName(schema, type) {
  const r = schema?.rels.get(type);
  if (current === "zh" && r) return r.zh;
  return type.toLowerCase().replace(/_/g, " ");
}

/** A property's name: the schema's Chinese name where it has one. */
export function propName(schema, label, prop) {
  const n = schema?.nodes.get(label) || schema?.rels.get(label);
  const p = n?.properties.find((x) => x.name === prop);
  return current === "zh" && p?.zh ? p.zh : prop;
}

document.documentElement.lang = current === "en" ? "en" : "zh-CN";
