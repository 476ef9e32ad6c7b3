// The guanxi API, as the explorer uses it: the key and the purpose of the session go with
// every request; errors come back as ApiError with the API's own message and status.

const BASE = "/api/v1";
const KEY = "guanxi.key";
const PURPOSE = "guanxi.purpose";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = {
  get key() {
    return sessionStorage.getItem(KEY) || "";
  },
  set key(v) {
    if (v) sessionStorage.setItem(KEY, v);
    else sessionStorage.removeItem(KEY);
  },
  get purpose() {
    return sessionStorage.getItem(PURPOSE) || "";
  },
  set purpose(v) {
    if (v) sessionStorage.setItem(PURPOSE, v);
    else sessionStorage.removeItem(PURPOSE);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

let onUnauthorized = () => {};

/** Called with the API's message whenever a request answers 401. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

function headers(json) {
  const h = { Accept: json ? "application/json" : "*/*" };
  if (session.key) h.Authorization = `Bearer ${session.key}`;
  // Non-ASCII purposes are percent-encoded, as docs/api.md asks.
  if (session.purpose) h["X-Purpose"] = encodeURIComponent(session.purpose);
  return h;
}

/** Requests in flight (the page shows a busy cursor; tests wait for zero). */
export const activity = { pending: 0 };

async function request(method, path, opts = {}) {
  activity.pending++;
  document.body.classList.add("busy");
  try {
    return await send(method, path, opts);
  } finally {
    activity.pending--;
    if (!activity.pending) document.body.classList.remove("busy");
  }
}

async function send(method, path, { params, body, as = "json", signal } = {}) {
  const h = headers(as === "json");
  const init = { method, headers: h, signal };
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path + query(params), init);
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, e.message || "network error");
  }
  if (!res.ok) {
    let message = res.statusText;
    try {
      const err = await res.json();
      message = err.error || message;
    } catch {
      /* not the API's error shape */
    }
    const error = new ApiError(res.status, message);
    if (res.status === 401) onUnauthorized(message);
    throw error;
  }
  if (as === "json") return res.json();
  if (as === "text") return res.text();
  const blob = await res.blob();
  const disp = res.headers.get("Content-Disposition") || "";
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disp) || /filename="?([^";]+)"?/i.exec(disp);
  return { blob, filename: m ? decodeURIComponent(m[1]) : "guanxi-export" };
}

const enc = encodeURIComponent;

export const api = {
  me: () => request("GET", "/me"),
  health: () => request("GET", "/health"),
  schema: () => request("GET", "/schema"),
  search: (q, { label, page = 1, size = 10, signal } = {}) =>
    request("GET", "/search", { params: { q, label, page, size }, signal }),
  entity: (id) => request("GET", `/entities/${enc(id)}`),
  neighbours: (id, { types, labels, offset, limit, depth = 1 } = {}) =>
    request("GET", `/entities/${enc(id)}/neighbours`, { params: { types, labels, offset, limit, depth } }),
  dossier: (id) => request("GET", `/entities/${enc(id)}/dossier`, { as: "text" }),
  paths: (from, to, { maxHops = 4, k = 3, excludeHubs = true } = {}) =>
    request("GET", "/paths", {
      params: { from, to, max_hops: maxHops, k, exclude_hubs: excludeHubs },
    }),
  findings: (filters = {}) => request("GET", "/findings", { params: filters }),
  finding: (id) => request("GET", `/findings/${enc(id)}`),
  triage: (id, status, note) =>
    request("PATCH", `/findings/${enc(id)}`, { body: { status, note: note || null } }),
  communities: (order = "risk", page = 1, size = 20) =>
    request("GET", "/communities", { params: { order, page, size } }),
  community: (id, limit = 300) => request("GET", `/communities/${enc(id)}`, { params: { limit } }),
  patterns: () => request("GET", "/patterns"),
  exportFile: (params) => request("GET", "/export", { params, as: "blob" }),
  exportNodes: (nodes, format) => request("POST", "/export", { body: { nodes, format }, as: "blob" }),
  leads: (filters = {}) => request("GET", "/leads", { params: filters }),
  lead: (id) => request("GET", `/leads/${enc(id)}`),
  cases: (filters = {}) => request("GET", "/cases", { params: filters }),
  caseOne: (no) => request("GET", `/cases/${enc(no)}`),
  openCase: (body) => request("POST", "/cases", { body }),
  /** accept, reject, start, request-extension, approve-extension, refuse-extension, close,
   * assign, dispositions: each answers the case as it now is. */
  caseAction: (no, action, body = {}) => request("POST", `/cases/${enc(no)}/${action}`, { body }),
  caseGraph: (no) => request("GET", `/cases/${enc(no)}/graph`),
  caseReport: (no) => request("GET", `/cases/${enc(no)}/report`, { as: "text" }),
  vocabulary: () => request("GET", "/cases/vocabulary"),
  caseStats: (params = {}) => request("GET", "/cases/stats", { params }),
  caseStatsXlsx: (params = {}) => request("GET", "/cases/stats.xlsx", { params, as: "blob" }),
  intakeList: (params = {}) => request("GET", "/intake", { params }),
  intakeOne: (id) => request("GET", `/intake/${enc(id)}`),
  register: (body) => request("POST", "/intake", { body }),
  decide: (id, suggestion, decision) =>
    request("POST", `/intake/${enc(id)}/suggestions/${enc(suggestion)}`, { body: { decision } }),
  merge: (id, caseNo, reason) => request("POST", `/intake/${enc(id)}/merge`, { body: { case_no: caseNo, reason: reason || null } }),
};
