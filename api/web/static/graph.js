/* A small force-directed layout drawn as SVG (no libraries).
   KexieGraph.draw(svg, nodes, edges, opts): nodes [{id, label, type, href?, title?, angle?, ring?}],
   edges [{source, target, dashed?, kind?, title?, label?}] (kind "tie": a thick edge between team
   members; title: hover text; label: a short text at the edge's middle).
   The first node is the centre; positions start on rings by type (deterministic) and relax with
   springs on edges, repulsion between all pairs and a pull to the centre. */
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const RING = { scientist: 0, coauthor: 1, society: 1, org: 1, discipline: 1, request: 0, member: 0.6, institution: 1.1 };
  const COLORS = { scientist: "var(--c-scientist)", coauthor: "var(--c-coauthor)", society: "var(--c-society)",
                   org: "var(--c-org)", discipline: "var(--c-discipline)", request: "var(--c-scientist)",
                   member: "var(--c-coauthor)", institution: "var(--c-org)" };

  function layout(nodes, edges, width, height, iterations) {
    const cx = width / 2, cy = height / 2, r0 = Math.min(width, height) * 0.34;
    const pos = nodes.map((n, i) => {
      if (i === 0) return { x: cx, y: cy, vx: 0, vy: 0 };
      // a node may give its starting angle and ring (e.g. an institution next to its members)
      const a = n.angle !== undefined ? n.angle : (2 * Math.PI * (i - 1)) / Math.max(1, nodes.length - 1) - Math.PI / 2;
      const r = r0 * (n.ring !== undefined ? n.ring : RING[n.type] || 1);
      return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), vx: 0, vy: 0 };
    });
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    const links = edges.map((e) => [index.get(e.source), index.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
    const ideal = r0 * 0.9, k = ideal * ideal;
    for (let it = 0; it < iterations; it++) {
      const cool = 1 - it / iterations;
      for (let i = 0; i < pos.length; i++) {
        for (let j = i + 1; j < pos.length; j++) {
          let dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
          const d2 = Math.max(dx * dx + dy * dy, 1), f = (k * 0.04) / d2;
          pos[i].vx += dx * f; pos[i].vy += dy * f; pos[j].vx -= dx * f; pos[j].vy -= dy * f;
        }
      }
      for (const [a, b] of links) {
        const dx = pos[b].x - pos[a].x, dy = pos[b].y - pos[a].y, d = Math.max(Math.hypot(dx, dy), 1);
        const f = ((d - ideal) / d) * 0.08;
        pos[a].vx += dx * f; pos[a].vy += dy * f; pos[b].vx -= dx * f; pos[b].vy -= dy * f;
      }
      for (let i = 1; i < pos.length; i++) {
        pos[i].vx += (cx - pos[i].x) * 0.01; pos[i].vy += (cy - pos[i].y) * 0.01;
        const step = Math.hypot(pos[i].vx, pos[i].vy), cap = 30 * cool + 1;
        const s = step > cap ? cap / step : 1;
        pos[i].x += pos[i].vx * s; pos[i].y += pos[i].vy * s;
        pos[i].vx *= 0.5; pos[i].vy *= 0.5;
        pos[i].x = Math.min(width - 70, Math.max(70, pos[i].x));
        pos[i].y = Math.min(height - 30, Math.max(30, pos[i].y));
      }
    }
    return pos;
  }

  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function draw(svg, nodes, edges, opts) {
    const width = (opts && opts.width) || 760, height = (opts && opts.height) || 460;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const pos = layout(nodes, edges, width, height, (opts && opts.iterations) || 300);
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    const gEdges = el("g", { class: "edges", stroke: "#9aa7b6", "stroke-width": "1.4" }, svg);
    for (const e of edges) {
      const a = pos[index.get(e.source)], b = pos[index.get(e.target)];
      if (!a || !b) continue;
      const line = el("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1),
                   "stroke-dasharray": e.dashed ? "4 3" : "none", "data-edge": `${e.source}|${e.target}` }, gEdges);
      if (e.kind) { line.setAttribute("data-kind", e.kind); line.setAttribute("class", "edge-" + e.kind); }
      if (e.kind === "tie") { line.setAttribute("stroke", "var(--c-scientist)"); line.setAttribute("stroke-width", "3.5"); }
      if (e.title) el("title", {}, line).textContent = e.title;
      if (e.label) {
        const t = el("text", { x: ((a.x + b.x) / 2).toFixed(1), y: ((a.y + b.y) / 2 - 5).toFixed(1), "text-anchor": "middle",
                               "font-size": "11.5", fill: "#8a1b21", stroke: "#fbfcfe", "stroke-width": "3", "paint-order": "stroke",
                               class: "edge-label" }, gEdges);
        t.textContent = e.label;
      }
    }
    const gNodes = el("g", { class: "nodes" }, svg);
    nodes.forEach((n, i) => {
      const p = pos[i];
      const holder = n.href ? el("a", { href: n.href, class: "node-link" }, gNodes) : gNodes;
      const g = el("g", { class: "node", "data-type": n.type, "data-id": n.id,
                          transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})` }, holder);
      if (n.title) el("title", {}, g).textContent = n.title;
      el("circle", { r: i === 0 ? 16 : 10, fill: COLORS[n.type] || "#777", stroke: "#fff", "stroke-width": "2" }, g);
      const text = el("text", { y: i === 0 ? 32 : 24, "text-anchor": "middle", "font-size": i === 0 ? "15" : "12.5",
                                "font-weight": i === 0 ? "700" : "400", fill: "#1d2733", "paint-order": "stroke",
                                stroke: "#fbfcfe", "stroke-width": "3" }, g);
      const lab = String(n.label || n.id);
      text.textContent = lab.length > 16 ? lab.slice(0, 15) + "…" : lab;
    });
    return pos;
  }

  window.KexieGraph = { draw, layout, COLORS };
})();
