// Pure helpers for the graph: which date a node or relationship lives at (the time
// filter), and a community grouping of what is on screen (community colouring).

/** The date (YYYY-MM-DD) an event-like node happened, or null for lasting things. */
export function eventDate(node) {
  const p = node.properties || {};
  switch (node.label) {
    case "Disbursement":
      return p.paid_date || (p.period ? `${p.period}-01` : null);
    case "Payment":
      return p.paid_date || null;
    case "Income":
      return p.received_date || null;
    case "Contract":
      return p.signed || null;
    case "Complaint":
      return p.received || null;
    case "Enterprise":
      return p.established || null;
    case "Vehicle":
    case "RealEstate":
      return p.registered || null;
    default:
      return null;
  }
}

/** The date a lasting thing ended (deregistered), or null. */
function endDate(node) {
  const p = node.properties || {};
  if (node.label === "Enterprise" || node.label === "Vehicle") return p.deregistered || null;
  return null;
}

const day = (s) => (typeof s === "string" && /^\d{4}-\d{2}(-\d{2})?/.test(s) ? s.slice(0, 10) : null);

/** Hidden by the time filter at `date`? Nodes: only when `events` is on. */
export function nodeOutsideTime(node, date, events) {
  if (!events) return false;
  const start = day(eventDate(node));
  const end = day(endDate(node));
  return Boolean((start && start > date) || (end && end < date));
}

/** A relationship with a validity period that does not cover `date`. */
export function relOutsideTime(rel, date) {
  const p = rel.properties || {};
  const from = day(p.valid_from);
  const to = day(p.valid_to);
  return Boolean((from && from > date) || (to && to < date));
}

/** The earliest and latest dates among nodes and relationships, or null. */
export function dateSpan(nodes, rels) {
  let lo = null;
  let hi = null;
  const see = (s) => {
    const d = day(s);
    if (!d || d < "1900") return;
    if (!lo || d < lo) lo = d;
    if (!hi || d > hi) hi = d;
  };
  for (const n of nodes) {
    see(eventDate(n));
    see(endDate(n));
  }
  for (const r of rels) {
    see(r.properties?.valid_from);
    see(r.properties?.valid_to);
  }
  return lo ? { lo, hi } : null;
}

const MS_DAY = 86400000;
export const toDays = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_DAY);
export const fromDays = (n) => new Date(n * MS_DAY).toISOString().slice(0, 10);

/**
 * Communities of the on-screen graph: the API's `community` property where nodes carry
 * one, otherwise label propagation over the visible links (deterministic: nodes in id
 * order, ties to the smallest label). Returns Map id → group index (0 = largest group).
 */
export function communities(ids, links) {
  const adj = new Map(ids.map((id) => [id, []]));
  for (const [a, b] of links) {
    if (adj.has(a) && adj.has(b) && a !== b) {
      adj.get(a).push(b);
      adj.get(b).push(a);
    }
  }
  const order = [...ids].sort();
  const lab = new Map(order.map((id, i) => [id, i]));
  for (let round = 0; round < 20; round++) {
    let moved = 0;
    for (const id of order) {
      const nb = adj.get(id);
      if (!nb.length) continue;
      const count = new Map();
      for (const o of nb) count.set(lab.get(o), (count.get(lab.get(o)) || 0) + 1);
      let best = lab.get(id);
      let bestC = count.get(best) || 0;
      for (const [l, c] of count) {
        if (c > bestC || (c === bestC && l < best)) {
          best = l;
          bestC = c;
        }
      }
      if (best !== lab.get(id)) {
        lab.set(id, best);
        moved++;
      }
    }
    if (!moved) break;
  }
  return rank(lab);
}

/** Map id → group (any value) into Map id → index by group size, largest first. */
export function rank(groups) {
  const size = new Map();
  for (const g of groups.values()) size.set(g, (size.get(g) || 0) + 1);
  const order = [...size.keys()].sort((a, b) => size.get(b) - size.get(a) || String(a).localeCompare(String(b)));
  const index = new Map(order.map((g, i) => [g, i]));
  return new Map([...groups].map(([id, g]) => [id, index.get(g)]));
}

export const PALETTE = [
  "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
  "#bcf60c", "#008080", "#9a6324", "#800000", "#808000", "#000075", "#fabebe",
];
