// Small DOM helpers shared by the modules: build elements, format values.

import { lang, t } from "./i18n.js";

/** h("li", {class: "x", onclick: fn}, "text", child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat().filter(Boolean));
  return el;
}

/** A property value for people: money in yuan, booleans in words, lists joined. */
export function fmtValue(value, type) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => fmtValue(v, type)).join(lang() === "zh" ? "、" : ", ");
  if (type === "money" && typeof value === "number") {
    const yuan = (value / 100).toLocaleString(lang() === "zh" ? "zh-CN" : "en", { minimumFractionDigits: 2 });
    return lang() === "zh" ? `${yuan} 元` : `¥${yuan}`;
  }
  if (typeof value === "boolean") return lang() === "zh" ? (value ? "是" : "否") : value ? "yes" : "no";
  if (typeof value === "number") return value.toLocaleString();
  return String(value);
}

export function sevBadge(sev) {
  return h("span", { class: `sev sev-${sev}` }, t(`sev.${sev}`));
}

export function statusBadge(status) {
  return h("span", { class: `status status-${status}` }, t(`status.${status}`));
}

/** Save a Blob as a file. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A refusal (403) or another failure, with the API's own message. */
export function errorBox(err) {
  const forbidden = err.status === 403;
  const title = forbidden
    ? t("error.forbidden")
    : err.status === 404
      ? t("error.notfound")
      : err.status === 503
        ? t("error.unavailable")
        : err.status === 0
          ? t("error.network")
          : t("error.title");
  return h(
    "div",
    { class: forbidden ? "refusal" : "failure", role: "alert" },
    h("h2", {}, title),
    h("p", { class: "api-message" }, err.message),
    forbidden ? h("p", { class: "muted" }, t("error.forbidden_hint")) : null,
  );
}
