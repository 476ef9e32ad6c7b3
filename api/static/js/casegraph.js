// A case's graph (GET /cases/{no}/graph) in a small vis-network of its own, drawn with the
// explorer's node and edge styles; "open in the graph" hands the same subgraph to the
// main canvas.

import { relId } from "./graph.js";
import { edgeStyle, nodeStyle } from "./style.js";

export class CaseGraph {
  constructor(container, schema) {
    this.container = container;
    this.schema = schema;
    this.network = null;
  }

  draw(sub) {
    const look = { schema: this.schema, hidden: false, edgeLabels: true };
    const nodes = sub.nodes.map((n) => ({ ...nodeStyle({ id: n.ref, kind: "node", node: n }, { ...look, lit: n.label === "Case" }) }));
    const ids = new Set(nodes.map((n) => n.id));
    // One edge per id: a DataSet refuses a duplicate.
    const byId = new Map();
    for (const r of sub.relationships) {
      if (ids.has(r.start) && ids.has(r.end)) byId.set(relId(r), r);
    }
    const edges = [...byId].map(([id, r]) => edgeStyle({ id, kind: "rel", from: r.start, to: r.end, rel: r }, look));
    this.destroy();
    this.network = new vis.Network(
      this.container,
      { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) },
      {
        autoResize: true,
        physics: { solver: "forceAtlas2Based", stabilization: { iterations: 150 } },
        interaction: { hover: true, zoomView: true },
        edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, smooth: false },
      },
    );
    this.network.once("stabilizationIterationsDone", () => this.network?.fit());
  }

  destroy() {
    this.network?.destroy();
    this.network = null;
  }
}
