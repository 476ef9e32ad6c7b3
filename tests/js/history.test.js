// Undo and redo over the explorer's graph model (api/static/js/history.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { History } from "../../api/static/js/history.js";

/** A model with the surface History drives: nodes, edges that die with their nodes, flags. */
function model() {
  const m = {
    nodes: new Map(),
    edges: new Map(),
    flags: { hidden: new Map() },
    changes: 0,
    applyAdd(nodes, edges) {
      for (const n of nodes) m.nodes.set(n.id, n);
      for (const e of edges) m.edges.set(e.id, e);
    },
    applyRemove(nodeIds, edgeIds) {
      for (const id of nodeIds) m.nodes.delete(id);
      for (const id of edgeIds) m.edges.delete(id);
    },
    applyFlag(name, values) {
      for (const [id, v] of values) m.flags[name].set(id, v);
    },
    flagOf(name, id) {
      return m.nodes.has(id) ? (m.flags[name].get(id) ?? false) : undefined;
    },
    snapshot(nodeIds, edgeIds) {
      const gone = new Set(nodeIds);
      const edges = [...m.edges.values()].filter(
        (e) => edgeIds.includes(e.id) || gone.has(e.from) || gone.has(e.to),
      );
      return { nodes: nodeIds.filter((id) => m.nodes.has(id)).map((id) => m.nodes.get(id)), edges };
    },
    changed() {
      m.changes += 1;
    },
  };
  return m;
}

const A = { id: "A" };
const B = { id: "B" };
const AB = { id: "A-B", from: "A", to: "B" };

test("undo removes what a command added; redo adds it again", () => {
  const m = model();
  const h = new History(m);
  h.run("expand", (tx) => tx.add([A, B], [AB]));
  assert.deepEqual([...m.nodes.keys()], ["A", "B"]);
  assert.equal(h.undo(), "expand");
  assert.equal(m.nodes.size + m.edges.size, 0);
  assert.ok(h.canRedo);
  assert.equal(h.redo(), "expand");
  assert.deepEqual([...m.edges.keys()], ["A-B"]);
});

test("undoing a removal brings back the node and the edges that went with it", () => {
  const m = model();
  const h = new History(m);
  h.run("expand", (tx) => tx.add([A, B], [AB]));
  h.run("remove", (tx) => tx.remove(["B"]));
  assert.deepEqual([...m.edges.keys()], []);
  h.undo();
  assert.deepEqual([...m.nodes.keys()].sort(), ["A", "B"]);
  assert.deepEqual([...m.edges.keys()], ["A-B"]);
});

test("flags are restored to what they were, node by node", () => {
  const m = model();
  const h = new History(m);
  h.run("expand", (tx) => tx.add([A, B], []));
  m.flags.hidden.set("A", true);
  h.run("hide", (tx) => tx.flag("hidden", ["A", "B"], true));
  assert.equal(m.flags.hidden.get("B"), true);
  h.undo();
  assert.equal(m.flags.hidden.get("A"), true, "A was hidden before the command");
  assert.equal(m.flags.hidden.get("B"), false);
  h.redo();
  assert.equal(m.flags.hidden.get("B"), true);
});

test("a command that changes nothing is not recorded, and a new command clears redo", () => {
  const m = model();
  const h = new History(m);
  h.run("nothing", (tx) => tx.add([], []));
  assert.equal(h.canUndo, false);
  assert.equal(m.changes, 0);
  h.run("one", (tx) => tx.add([A], []));
  h.undo();
  h.run("two", (tx) => tx.add([B], []));
  assert.equal(h.canRedo, false);
  assert.equal(h.undo(), "two");
  assert.equal(h.undo(), null);
});

test("history keeps the last 200 commands", () => {
  const m = model();
  const h = new History(m);
  for (let i = 0; i < 205; i++) h.run(`add ${i}`, (tx) => tx.add([{ id: `n${i}` }], []));
  let undone = 0;
  while (h.undo() !== null) undone += 1;
  assert.equal(undone, 200);
  assert.equal(m.nodes.size, 5);
});
