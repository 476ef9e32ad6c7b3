// The search box: suggestions as you type (debounced, the previous request aborted),
// keyboard navigation (↑ ↓ Enter Esc), and a chosen result handed to `onOpen(node)`.

import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { labelName, t } from "./i18n.js";

const DELAY = 250;

export class Search {
  constructor(input, list, schema, { onOpen, onError }) {
    this.input = input;
    this.list = list;
    this.schema = schema;
    this.onOpen = onOpen;
    this.onError = onError;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.abort = null;
    input.addEventListener("input", () => this.#schedule());
    input.addEventListener("keydown", (e) => this.#key(e));
    input.addEventListener("focus", () => this.items.length && this.#open(true));
    document.addEventListener("click", (e) => {
      if (!list.contains(e.target) && e.target !== input) this.#open(false);
    });
  }

  #schedule() {
    clearTimeout(this.timer);
    const q = this.input.value.trim();
    // One Chinese character is a search; one Latin letter is not yet.
    if (!q || (q.length < 2 && !/[\u3400-\u9fff]/.test(q))) {
      this.items = [];
      this.#open(false);
      return;
    }
    this.items = []; // what is listed belongs to the old text
    this.#message(t("search.searching"));
    this.timer = setTimeout(() => this.#run(q), DELAY);
  }

  async #run(q) {
    this.abort?.abort();
    this.abort = new AbortController();
    try {
      const page = await api.search(q, { size: 10, signal: this.abort.signal });
      if (q !== this.input.value.trim()) return;
      this.items = page.items;
      this.#render(page);
    } catch (err) {
      if (err.name === "AbortError") return;
      this.#open(false);
      this.onError(err);
    }
  }

  #message(text) {
    clear(this.list, h("li", { class: "muted", role: "presentation" }, text));
    this.#open(true);
  }

  #render(page) {
    this.active = -1;
    if (!page.items.length) {
      this.#message(t("search.none"));
      return;
    }
    clear(
      this.list,
      page.items.map((hit, i) => {
        const n = hit.node;
        const colour = this.schema.nodes.get(n.label)?.color || "#adb5bd";
        const where = n.properties?.village_code || n.properties?.address || "";
        return h(
          "li",
          {
            id: `sugg-${i}`,
            role: "option",
            "aria-selected": "false",
            class: "suggestion",
            dataset: { ref: n.ref },
            onmousedown: (e) => e.preventDefault(),
            onclick: () => this.#choose(i),
          },
          h("span", { class: "dot", style: { background: colour } }),
          h("span", { class: "s-caption" }, n.caption || n.key),
          h("span", { class: "s-label" }, labelName(this.schema, n.label)),
          n.key && n.key !== n.caption ? h("code", { class: "s-key" }, n.key) : null,
          where ? h("span", { class: "s-where" }, where) : null,
        );
      }),
    );
    this.#open(true);
  }

  #open(on) {
    this.list.hidden = !on;
    this.input.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on) this.input.removeAttribute("aria-activedescendant");
  }

  #move(delta) {
    const opts = [...this.list.querySelectorAll("[role=option]")];
    if (!opts.length) return;
    this.active = (this.active + delta + opts.length) % opts.length;
    opts.forEach((o, i) => o.setAttribute("aria-selected", i === this.active ? "true" : "false"));
    this.input.setAttribute("aria-activedescendant", opts[this.active].id);
    opts[this.active].scrollIntoView({ block: "nearest" });
  }

  #key(e) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      this.#move(1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      this.#move(-1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (this.items.length) this.#choose(Math.max(this.active, 0));
    } else if (e.key === "Escape") {
      this.#open(false);
    }
  }

  #choose(i) {
    const hit = this.items[i];
    if (!hit) return;
    this.#open(false);
    this.onOpen(hit.node);
  }
}
