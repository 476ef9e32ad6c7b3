// Undo and redo: a stack of commands over the graph's model. A command is a list of
// operations, each of which knows its inverse:
//   {op: "add", nodes, edges}      — inverse: remove them
//   {op: "remove", nodes, edges}   — inverse: add them back (with positions and flags)
//   {op: "flag", name, before, value} — set a flag on nodes; inverse: restore `before`

const LIMIT = 200;

export class History {
  constructor(model) {
    this.model = model; // {applyAdd, applyRemove, applyFlag, changed}
    this.done = [];
    this.undone = [];
  }

  /** Run `fn(tx)` as one undoable command; nothing is recorded if it did nothing. */
  run(name, fn) {
    const tx = new Tx(this.model);
    const result = fn(tx);
    if (tx.ops.length) {
      this.done.push({ name, ops: tx.ops });
      if (this.done.length > LIMIT) this.done.shift();
      this.undone = [];
      this.model.changed();
    }
    return result;
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  undo() {
    const cmd = this.done.pop();
    if (!cmd) return null;
    for (const op of [...cmd.ops].reverse()) this.#invert(op);
    this.undone.push(cmd);
    this.model.changed();
    return cmd.name;
  }

  redo() {
    const cmd = this.undone.pop();
    if (!cmd) return null;
    for (const op of cmd.ops) this.#replay(op);
    this.done.push(cmd);
    this.model.changed();
    return cmd.name;
  }

  clear() {
    this.done = [];
    this.undone = [];
  }

  #invert(op) {
    const m = this.model;
    if (op.op === "add") m.applyRemove(op.nodes.map((n) => n.id), op.edges.map((e) => e.id));
    else if (op.op === "remove") m.applyAdd(op.nodes, op.edges);
    else if (op.op === "flag") m.applyFlag(op.name, op.before);
  }

  #replay(op) {
    const m = this.model;
    if (op.op === "add") m.applyAdd(op.nodes, op.edges);
    else if (op.op === "remove") m.applyRemove(op.nodes.map((n) => n.id), op.edges.map((e) => e.id));
    else if (op.op === "flag") m.applyFlag(op.name, new Map([...op.before.keys()].map((id) => [id, op.value])));
  }
}

class Tx {
  constructor(model) {
    this.model = model;
    this.ops = [];
  }

  /** Add node and edge records (those already present are skipped by the caller). */
  add(nodes, edges) {
    if (!nodes.length && !edges.length) return;
    this.model.applyAdd(nodes, edges);
    this.ops.push({ op: "add", nodes, edges });
  }

  /** Remove nodes (with every edge that touches them) and edges. */
  remove(nodeIds, edgeIds = []) {
    const { nodes, edges } = this.model.snapshot(nodeIds, edgeIds);
    if (!nodes.length && !edges.length) return;
    this.model.applyRemove(
      nodes.map((n) => n.id),
      edges.map((e) => e.id),
    );
    this.ops.push({ op: "remove", nodes, edges });
  }

  /** Set flag `name` (hidden, pinned) to `value` on nodes, remembering what it was. */
  flag(name, ids, value) {
    const before = new Map();
    for (const id of ids) {
      const old = this.model.flagOf(name, id);
      if (old !== undefined && old !== value) before.set(id, old);
    }
    if (!before.size) return;
    this.model.applyFlag(name, new Map([...before.keys()].map((id) => [id, value])));
    this.ops.push({ op: "flag", name, before, value });
  }
}
