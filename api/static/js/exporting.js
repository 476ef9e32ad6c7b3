// Exports of what is on screen — a PNG and a standalone HTML page drawn here (vis-network
// inlined from the copy the API serves, so the file works offline), data files made by the
// API from the nodes shown (audited) — and, through the API, the current entity, finding
// or community as an HTML report or Excel, and the dossier of the selected entity.

import { api, session } from "./api.js";
import { download } from "./dom.js";
import { labelName } from "./i18n.js";

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");

/** The canvas as a PNG on a white background. */
export async function exportPng(graph) {
  const src = graph.network.body.container.querySelector("canvas");
  const c = document.createElement("canvas");
  c.width = src.width;
  c.height = src.height;
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(src, 0, 0);
  ctx.fillStyle = "#616e7c";
  ctx.font = `${12 * (window.devicePixelRatio || 1)}px sans-serif`;
  ctx.fillText(`guanxi · ${new Date().toLocaleString()} · ${session.purpose}`, 10, c.height - 10);
  const url = c.toDataURL("image/png");
  const blob = await (await fetch(url)).blob();
  const name = `guanxi-${stamp()}.png`;
  download(blob, name);
  return name;
}

/** What is on screen as a data file (JSON, GraphML, GEXF, CSV, Excel, FollowTheMoney),
 * made by the API from the refs shown: masked for the role and audited like any export. */
export async function exportOnScreen(graph, format) {
  const { nodes } = graph.visibleSubgraph();
  if (!nodes.length) throw new Error("nothing on screen");
  const refs = nodes.map((n) => n.ref).slice(0, 1000);
  const { blob, filename } = await api.exportNodes(refs, format);
  download(blob, filename);
  return filename;
}

const xml = (s) =>
  String(s).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);
const safeJson = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

/** One offline HTML file: the on-screen graph as drawn, with vis-network inlined. */
export async function exportHtml(graph, schema) {
  const [js, css] = await Promise.all([
    fetch("/vendor/vis-network/vis-network.min.js").then((r) => r.text()),
    fetch("/vendor/vis-network/vis-network.css").then((r) => r.text()),
  ]);
  const { nodes, relationships } = graph.visibleSubgraph();
  const ids = new Set(nodes.map((n) => n.ref));
  const pos = graph.network.getPositions([...ids]);
  const vnodes = graph.nodes.get({ filter: (n) => ids.has(n.id) }).map((n) => ({ ...n, ...pos[n.id], fixed: false, hidden: false }));
  const eids = new Set(graph.edges.getIds().filter((id) => graph.erecs.get(id)?.kind === "rel"));
  const vedges = graph.edges.get({ filter: (e) => eids.has(e.id) && !e.hidden && ids.has(e.from) && ids.has(e.to) });
  const details = Object.fromEntries(nodes.map((n) => [n.ref, { caption: n.caption, label: labelName(schema, n.label), key: n.key, properties: n.properties }]));
  const legend = [...new Set(nodes.map((n) => n.label))]
    .map((l) => `<li><span class="dot" style="background:${schema.nodes.get(l)?.color || "#aaa"}"></span>${xml(labelName(schema, l))}</li>`)
    .join("");
  const title = `关系图 guanxi — ${new Date().toLocaleString()}`;
  const page = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${xml(title)}</title>
<style>${css.replace(/<\/style/gi, "<\\/style")}</style>
<style>body{margin:0;font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif}
header{padding:6px 12px;border-bottom:1px solid #ddd}main{display:flex;height:calc(100vh - 40px)}
#g{flex:1}aside{width:300px;overflow:auto;border-left:1px solid #ddd;padding:8px;font-size:13px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}ul{padding-left:0;list-style:none}
td{border-top:1px solid #eee;padding:2px 4px;vertical-align:top;word-break:break-all}</style>
<script>${js.replace(/<\/script/gi, "<\\/script")}</script></head>
<body><header><strong>${xml(title)}</strong> · ${nodes.length} / ${relationships.length} · ${xml(session.purpose)}</header>
<main><div id="g"></div><aside><ul>${legend}</ul><div id="d"></div></aside></main>
<script>
const nodes=new vis.DataSet(${safeJson(vnodes)}),edges=new vis.DataSet(${safeJson(vedges)}),details=${safeJson(details)};
const net=new vis.Network(document.getElementById("g"),{nodes,edges},{physics:false,interaction:{hover:true}});
const esc=s=>String(s??"").replace(/[<>&]/g,c=>({"<":"&lt;",">":"&gt;","&":"&amp;"})[c]);
net.on("click",p=>{const d=details[p.nodes[0]];if(!d)return;document.getElementById("d").innerHTML="<h3>"+esc(d.caption)+"</h3><p>"+esc(d.label)+" "+esc(d.key)+"</p><table>"+Object.entries(d.properties||{}).map(([k,v])=>"<tr><td>"+esc(k)+"</td><td>"+esc(Array.isArray(v)?v.join(", "):v)+"</td></tr>").join("")+"</table>";});
</script></body></html>`;
  const name = `guanxi-${stamp()}.html`;
  download(new Blob([page], { type: "text/html" }), name);
  return name;
}

/** The current entity, finding or community, exported by the API (audited). */
export async function exportViaApi(context, format) {
  const params = { format };
  if (context.kind === "entity") Object.assign(params, { entity: context.id, limit: 300 });
  else if (context.kind === "finding") params.finding = context.id;
  else params.community = context.id;
  const { blob, filename } = await api.exportFile(params);
  download(blob, filename);
  return filename;
}

/** The dossier of an entity, opened in a new tab (a blob URL: the page stays offline). */
export async function openDossier(ref) {
  const html = await api.dossier(ref);
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  const win = window.open(url, "_blank");
  if (win) win.opener = null;
  else download(new Blob([html], { type: "text/html" }), "guanxi-dossier.html");
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return "dossier";
}
