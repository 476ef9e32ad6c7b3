// The pattern library's names (GET /patterns), loaded once: the explorer shows a rule by
// its name in the current language (低保家庭拥有机动车), never by its id (recipient_vehicle).

import { api } from "./api.js";
import { lang } from "./i18n.js";

const byId = new Map();

/** The patterns, fetched the first time; an empty list for a role that may not list them. */
export async function loadPatterns() {
  if (!byId.size) {
    try {
      for (const p of await api.patterns()) byId.set(p.id, p);
    } catch {
      return [];
    }
  }
  return [...byId.values()];
}

/** A rule's name in the current language; the id only when the pattern is unknown. */
export function patternName(id) {
  const p = byId.get(id);
  if (!p) return id;
  return lang() === "zh" ? p.title_zh : p.title_en;
}
