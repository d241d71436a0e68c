// The ER diagram: boxes and foreign-key edges as SVG, with zoom, pan, a table
// finder, a side panel for the clicked table and a focus mode (#/diagram/<table>)
// that shows one table with its parents above and its children below.

import { h, s, mount } from "./dom.js";
import { anchors, boxColumns, focusLayout, HEAD_H, layout, ROW_H } from "./layout.js";

function edgePath(a, b) {
  const [p, q] = anchors(a, b);
  const bend = Math.max(30, Math.min(120, Math.hypot(q.x - p.x, q.y - p.y) / 3));
  return `M${p.x},${p.y} C${p.x + p.dx * bend},${p.y + p.dy * bend} ${q.x + q.dx * bend},${q.y + q.dy * bend} ${q.x},${q.y}`;
}

function loopPath(a) {
  const x = a.x + a.w;
  const y = a.y + HEAD_H / 2;
  return `M${x},${y} C${x + 50},${y - 30} ${x + 50},${y + 40} ${x},${y + 20}`;
}

function markers() {
  // Crow's-foot ends. The path runs child -> parent: "start" is the child end.
  const marker = (id, ...parts) =>
    s("marker", { id, viewBox: "-2 -8 22 16", refX: 0, refY: 0, markerWidth: 22, markerHeight: 16, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" }, ...parts);
  return s(
    "defs",
    {},
    marker("m-many", s("path", { d: "M0,-7 L14,0 L0,7 M14,-7 L14,7", class: "mark" })),
    marker("m-one", s("path", { d: "M8,-7 L8,7 M13,-7 L13,7", class: "mark" })),
    marker("m-zero-one", s("path", { d: "M6,-7 L6,7", class: "mark" }), s("circle", { cx: 14, cy: 0, r: 4, class: "mark-o" })),
  );
}

function tableBox(table, box, onOpen) {
  const { shown, hidden, pk, fkCols } = boxColumns(table);
  const rows = shown.map((c, i) => {
    const y = box.y + HEAD_H + 4 + i * ROW_H + 12;
    const key = pk.has(c.name) ? "PK" : fkCols.has(c.name) ? "FK" : "";
    return s(
      "g",
      { class: `er-col${key ? " key" : ""}` },
      s("text", { x: box.x + 8, y, class: "er-key" }, key),
      s("text", { x: box.x + 32, y, class: "er-colname" }, c.name.length > 20 ? c.name.slice(0, 19) + "\u2026" : c.name),
      s("text", { x: box.x + box.w - 8, y, class: "er-type", "text-anchor": "end" }, c.type),
    );
  });
  if (hidden) {
    rows.push(s("text", { x: box.x + 32, y: box.y + HEAD_H + 4 + shown.length * ROW_H + 12, class: "er-more" }, `\u2026 ${hidden} more`));
  }
  const title = table.name.length > 26 ? table.name.slice(0, 25) + "\u2026" : table.name;
  return s(
    "g",
    { class: `er-table${table.outside ? " outside" : ""}`, "data-table": table.name, tabindex: 0, role: "button", "aria-label": `table ${table.name}`, onclick: () => onOpen(table.name), onkeydown: (e) => e.key === "Enter" && onOpen(table.name) },
    s("title", {}, table.outside ? `${table.name} (referenced, not defined in the document)` : `${table.name} (line ${table.line})`),
    s("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6, class: "er-box" }),
    s("rect", { x: box.x, y: box.y, width: box.w, height: HEAD_H, rx: 6, class: "er-head" }),
    s("text", { x: box.x + 10, y: box.y + 17, class: "er-name" }, title),
    ...rows,
  );
}

function edge(rel, boxes) {
  const a = boxes.get(rel.from);
  const b = boxes.get(rel.to);
  if (!a || !b) return null;
  const d = rel.from === rel.to ? loopPath(a) : edgePath(a, b);
  const label = `${rel.from}.${rel.columns.join(",")} \u2192 ${rel.to} (${rel.cardinality}${rel.optional ? ", optional" : ""})`;
  return s(
    "path",
    {
      d,
      class: `er-edge${rel.inferred ? " inferred" : ""}`,
      "data-from": rel.from,
      "data-to": rel.to,
      "data-cardinality": rel.cardinality,
      "marker-start": rel.cardinality === "one-to-one" ? "url(#m-one)" : "url(#m-many)",
      "marker-end": rel.optional ? "url(#m-zero-one)" : "url(#m-one)",
    },
    s("title", {}, label),
  );
}

/** A band's heading trail, shortened from the left to fit its width: the nearest heading matters most. */
function bandLabel(band) {
  const room = Math.floor((band.w - 28) / 8.5);
  if (band.name.length <= room) return band.name;
  const last = band.name.split(" / ").pop();
  return last.length <= room ? last : last.slice(0, Math.max(4, room - 1)) + "\u2026";
}

/** Zoom and pan by transforming one <g>; wheel zooms around the pointer, dragging the background pans. */
function panZoom(svg, world, width, height) {
  const view = { k: 1, x: 0, y: 0 };
  const apply = () => world.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
  const fit = () => {
    const r = svg.getBoundingClientRect();
    const k = Math.min(1.2, Math.max(0.05, Math.min(r.width / (width + 40), r.height / (height + 80))));
    Object.assign(view, { k, x: (r.width - width * k) / 2, y: 20 });
    apply();
  };
  const zoomAt = (factor, cx, cy) => {
    const k = Math.min(4, Math.max(0.05, view.k * factor));
    view.x = cx - ((cx - view.x) * k) / view.k;
    view.y = cy - ((cy - view.y) * k) / view.k;
    view.k = k;
    apply();
  };
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  let drag = null;
  svg.addEventListener("pointerdown", (e) => {
    if (e.target.closest(".er-table")) return;
    drag = { x: e.clientX - view.x, y: e.clientY - view.y };
    svg.setPointerCapture(e.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    view.x = e.clientX - drag.x;
    view.y = e.clientY - drag.y;
    apply();
  });
  const stop = () => {
    drag = null;
    svg.classList.remove("dragging");
  };
  svg.addEventListener("pointerup", stop);
  svg.addEventListener("pointercancel", stop);
  const centre = (box) => {
    const r = svg.getBoundingClientRect();
    view.k = Math.max(view.k, 0.9);
    view.x = r.width / 2 - (box.x + box.w / 2) * view.k;
    view.y = r.height / 2 - (box.y + box.h / 2) * view.k;
    apply();
  };
  const zoomCentre = (factor) => {
    const r = svg.getBoundingClientRect();
    zoomAt(factor, r.width / 2, r.height / 2);
  };
  return { fit, centre, zoom: zoomCentre };
}

function panel(schema, name, focus) {
  const table = schema.tables.find((t) => t.name === name);
  if (!table) return h("div", { class: "er-panel empty" }, "Click a table to see it here.");
  if (table.outside) {
    const refs = schema.relationships.filter((r) => r.to === name);
    return h("div", { class: "er-panel", "data-table": name }, h("h3", {}, name), h("p", { class: "muted" }, "Referenced by the document but defined elsewhere (e.g. by Supabase Auth)."), h("ul", {}, refs.map((r) => h("li", {}, h("a", { href: `#/diagram/${encodeURIComponent(r.from)}` }, r.from), `.${r.columns.join(", ")}`))));
  }
  const parents = schema.relationships.filter((r) => r.from === name);
  const children = schema.relationships.filter((r) => r.to === name);
  const access = table.access;
  return h(
    "div",
    { class: "er-panel", "data-table": name },
    h("h3", {}, table.name),
    h("p", { class: "muted" }, `${table.section_path} \u00b7 `, h("a", { href: `#/doc/${table.line}` }, `line ${table.line}`)),
    access ? h("p", {}, h("span", { class: `scope scope-${access.scope}` }, access.scope), " ", access.reason) : null,
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button", href: `#/data/${encodeURIComponent(name)}` }, "Browse rows"),
      h("a", { class: "button", href: `#/schema/${encodeURIComponent(name)}` }, "Columns"),
      focus === name ? h("a", { class: "button", href: "#/diagram" }, "Show all") : h("a", { class: "button", href: `#/diagram/${encodeURIComponent(name)}` }, "Focus"),
    ),
    h("h4", {}, `References (${parents.length})`),
    h("ul", {}, parents.map((r) => h("li", {}, `${r.columns.join(", ")} \u2192 `, h("a", { href: `#/diagram/${encodeURIComponent(r.to)}` }, r.to), ` (${r.cardinality}${r.optional ? ", optional" : ""})`))),
    h("h4", {}, `Referenced by (${children.length})`),
    h("ul", {}, children.map((r) => h("li", {}, h("a", { href: `#/diagram/${encodeURIComponent(r.from)}` }, r.from), `.${r.columns.join(", ")}`))),
  );
}

/**
 * Tables the document references but does not define (auth.users on Supabase) get a
 * plain box in their own band, so every foreign key has both ends on the page.
 */
function withOutsideTables(schema) {
  const defined = new Set(schema.tables.map((t) => t.name));
  const outside = new Map();
  for (const rel of schema.relationships) {
    if (defined.has(rel.to)) continue;
    const cols = outside.get(rel.to) || new Set();
    rel.ref_columns.forEach((c) => cols.add(c));
    outside.set(rel.to, cols);
  }
  if (!outside.size) return schema;
  const extra = [...outside].map(([name, cols]) => ({
    name,
    line: 0,
    outside: true,
    section_path: "outside the document",
    columns: [...cols].map((c) => ({ name: c, type: "" })),
    primary_key: [...cols],
    foreign_keys: [],
    access: null,
  }));
  return {
    ...schema,
    tables: schema.tables.concat(extra),
    sections: schema.sections.concat([{ name: "Referenced, not defined in the document", tables: extra.map((t) => t.name) }]),
  };
}

/** Render the diagram into `root`; `focus` is a table name or null for the whole schema. */
export function renderDiagram(root, documentSchema, focus) {
  const schema = withOutsideTables(documentSchema);
  const known = focus && schema.tables.some((t) => t.name === focus);
  const placed = known ? focusLayout(schema, focus) : layout(schema);
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const world = s("g", { class: "er-world" });
  for (const band of placed.bands) {
    world.append(
      s("g", { class: "er-band" }, s("title", {}, band.name), s("rect", { x: band.x, y: band.y, width: band.w, height: band.h, rx: 10 }), s("text", { x: band.x + 14, y: band.y + 22 }, bandLabel(band))),
    );
  }
  const edges = s("g", { class: "er-edges" });
  for (const rel of schema.relationships) {
    const path = edge(rel, placed.boxes);
    if (path) edges.append(path);
  }
  world.append(edges);
  const side = h("aside", { class: "er-side" });
  const open = (name) => {
    world.querySelectorAll(".er-table.selected").forEach((g) => g.classList.remove("selected"));
    world.querySelector(`.er-table[data-table="${CSS.escape(name)}"]`)?.classList.add("selected");
    edges.querySelectorAll(".er-edge").forEach((p) => p.classList.toggle("lit", p.dataset.from === name || p.dataset.to === name));
    mount(side, panel(schema, name, focus));
  };
  for (const [name, box] of placed.boxes) world.append(tableBox(byName.get(name), box, open));
  const svg = s("svg", { class: "er-svg", "data-tables": placed.boxes.size, "data-edges": edges.childElementCount }, markers(), world);
  const pz = panZoom(svg, world, placed.width, placed.height);
  const finder = h("input", { type: "search", placeholder: "Find a table\u2026", list: "er-names", "aria-label": "find a table" });
  finder.addEventListener("change", () => {
    const box = placed.boxes.get(finder.value.trim());
    if (box) {
      pz.centre(box);
      open(finder.value.trim());
    }
  });
  const toolbar = h(
    "div",
    { class: "er-toolbar" },
    known ? h("a", { class: "button", href: "#/diagram" }, "\u2190 All tables") : null,
    h("span", { class: "muted" }, known ? `${focus}: ${placed.parents.length} referenced, ${placed.children.length} referencing` : `${schema.tables.length} tables, ${schema.relationships.length} foreign keys`),
    h("button", { type: "button", onclick: () => pz.zoom(1.25), "aria-label": "zoom in" }, "+"),
    h("button", { type: "button", onclick: () => pz.zoom(0.8), "aria-label": "zoom out" }, "\u2212"),
    h("button", { type: "button", onclick: () => pz.fit() }, "Fit"),
    finder,
    h("datalist", { id: "er-names" }, schema.tables.map((t) => h("option", { value: t.name }))),
    h("span", { class: "legend" }, "\u2014< many \u00b7 \u2014| one \u00b7 \u2014o| optional \u00b7 dashed: inferred"),
  );
  mount(root, h("div", { class: "er" }, toolbar, h("div", { class: "er-main" }, h("div", { class: "er-canvas" }, svg), side)));
  mount(side, panel(schema, known ? focus : null, focus));
  if (known) open(focus);
  requestAnimationFrame(() => pz.fit());
}
