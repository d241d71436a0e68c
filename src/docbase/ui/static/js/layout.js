// ER diagram layout, written for documents of a few to a few hundred tables.
//
// Sections of the document become horizontal bands, in document order. Inside
// a band, tables are layered by their foreign keys: a table sits one layer
// below the deepest table it references (within the band), so arrows mostly
// point upwards to parents. Each layer is ordered by the mean position of its
// parents (one barycentre pass) and wrapped into rows of at most `perRow`
// boxes, so a 50-table band stays readable instead of 2000px wide. Bands are
// then packed onto shelves, so one heading per table still fills the screen.

export const BOX_W = 210;
export const ROW_H = 18;
export const HEAD_H = 26;
export const MAX_ROWS = 9;
const GAP_X = 46;
const GAP_Y = 60;
const BAND_PAD = 28;
const BAND_GAP = 40;

/** Which columns a box lists: keys first, then others, at most MAX_ROWS (the rest are counted). */
export function boxColumns(table) {
  const fkCols = new Set(table.foreign_keys.flatMap((fk) => fk.columns));
  const pk = new Set(table.primary_key);
  const keyed = table.columns.filter((c) => pk.has(c.name) || fkCols.has(c.name));
  const rest = table.columns.filter((c) => !pk.has(c.name) && !fkCols.has(c.name));
  const all = keyed.concat(rest);
  const shown = all.length > MAX_ROWS ? all.slice(0, MAX_ROWS - 1) : all;
  return { shown, hidden: all.length - shown.length, pk, fkCols };
}

export function boxHeight(table) {
  const { shown, hidden } = boxColumns(table);
  return HEAD_H + (shown.length + (hidden ? 1 : 0)) * ROW_H + 6;
}

function depths(names, parentsOf) {
  const depth = new Map();
  const visiting = new Set();
  const visit = (name) => {
    if (depth.has(name)) return depth.get(name);
    if (visiting.has(name)) return 0; // a cycle: break it here
    visiting.add(name);
    let d = 0;
    for (const p of parentsOf.get(name) || []) if (p !== name) d = Math.max(d, visit(p) + 1);
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  names.forEach(visit);
  return depth;
}

/**
 * Positions for every table: Map name -> {x, y, w, h}, plus bands [{name, x, y, w, h}].
 * @param schema the console's schema JSON
 * @param names optional subset of table names to lay out (focus mode passes its own)
 */
export function layout(schema, { perRow = null, names = null } = {}) {
  // About as wide as tall on a landscape screen: 49 tables in one section -> rows of 10.
  perRow ||= Math.max(4, Math.min(14, Math.ceil(Math.sqrt(schema.tables.length * 2))));
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const keep = names ? new Set(names) : null;
  const local = [];
  for (const section of schema.sections) {
    const members = section.tables.filter((n) => byName.has(n) && (!keep || keep.has(n)));
    if (members.length) local.push({ name: section.name, ...bandLayout(schema, byName, members, perRow) });
  }
  // Shelf packing: bands flow left to right and wrap, so a document with one
  // heading per table reads as a grid of small bands, not one tall column.
  const area = local.reduce((a, b) => a + b.w * b.h, 0);
  const target = Math.max(Math.max(0, ...local.map((b) => b.w)), Math.sqrt(area * 1.6));
  const boxes = new Map();
  const bands = [];
  let x = 0;
  let y = 0;
  let shelf = 0;
  for (const band of local) {
    if (x > 0 && x + band.w > target) {
      x = 0;
      y += shelf + BAND_GAP;
      shelf = 0;
    }
    for (const [n, b] of band.boxes) boxes.set(n, { ...b, x: b.x + x, y: b.y + y });
    bands.push({ name: band.name, x, y, w: band.w, h: band.h });
    x += band.w + BAND_GAP;
    shelf = Math.max(shelf, band.h);
  }
  const width = Math.max(0, ...bands.map((b) => b.x + b.w));
  return { boxes, bands, width, height: y + shelf };
}

/** One section's tables, layered by their foreign keys, at the band's own origin. */
function bandLayout(schema, byName, members, perRow) {
  const inBand = new Set(members);
  const parentsOf = new Map(members.map((n) => [n, []]));
  for (const rel of schema.relationships) {
    if (inBand.has(rel.from) && inBand.has(rel.to)) parentsOf.get(rel.from).push(rel.to);
  }
  const depth = depths(members, parentsOf);
  const layers = [];
  for (const n of members) (layers[depth.get(n)] ||= []).push(n);
  const order = new Map();
  const boxes = new Map();
  let y = BAND_PAD + 18;
  let width = 0;
  for (const layer of layers.filter(Boolean)) {
    const score = (n) => {
      const ps = parentsOf.get(n).filter((p) => order.has(p));
      return ps.length ? ps.reduce((a, p) => a + order.get(p), 0) / ps.length : Infinity;
    };
    const sorted = layer
      .map((n, i) => ({ n, k: score(n), i }))
      .sort((a, b) => (a.k === b.k ? a.i - b.i : a.k - b.k))
      .map((e) => e.n);
    for (let start = 0; start < sorted.length; start += perRow) {
      const row = sorted.slice(start, start + perRow);
      let rowHeight = 0;
      row.forEach((n, i) => {
        const h = boxHeight(byName.get(n));
        const x = BAND_PAD + i * (BOX_W + GAP_X);
        boxes.set(n, { x, y, w: BOX_W, h });
        order.set(n, start + i);
        rowHeight = Math.max(rowHeight, h);
        width = Math.max(width, x + BOX_W + BAND_PAD);
      });
      y += rowHeight + GAP_Y;
    }
  }
  return { boxes, w: width, h: y - GAP_Y + BAND_PAD };
}

/** Focus mode: the table in the middle, the tables it references above, those referencing it below. */
export function focusLayout(schema, name) {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const parents = [...new Set(schema.relationships.filter((r) => r.from === name && r.to !== name && byName.has(r.to)).map((r) => r.to))];
  const children = [...new Set(schema.relationships.filter((r) => r.to === name && r.from !== name).map((r) => r.from))]
    .filter((n) => !parents.includes(n));
  const rows = [];
  const perRow = 6;
  for (let i = 0; i < parents.length; i += perRow) rows.push(parents.slice(i, i + perRow));
  rows.push([name]);
  for (let i = 0; i < children.length; i += perRow) rows.push(children.slice(i, i + perRow));
  const width = Math.min(perRow, Math.max(1, ...rows.map((r) => r.length))) * (BOX_W + GAP_X) + BAND_PAD;
  const boxes = new Map();
  let y = BAND_PAD;
  for (const row of rows) {
    const rowWidth = row.length * (BOX_W + GAP_X) - GAP_X;
    let x = (width - rowWidth) / 2;
    let rowHeight = 0;
    for (const n of row) {
      const h = boxHeight(byName.get(n));
      boxes.set(n, { x, y, w: BOX_W, h });
      x += BOX_W + GAP_X;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight + GAP_Y;
  }
  return { boxes, bands: [], width, height: y, parents, children };
}

/** Where an edge leaves and enters two boxes: the facing sides, so lines do not cross their own boxes. */
export function anchors(a, b) {
  const ac = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
  const bc = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
  // On a top or bottom side, lean each end towards the other box so edges fan out instead of meeting in one point.
  const lean = (box, towards) => Math.min(box.x + box.w - 14, Math.max(box.x + 14, box.x + box.w / 2 + (towards - (box.x + box.w / 2)) * 0.35));
  if (a.y + a.h < b.y) return [{ x: lean(a, bc.x), y: a.y + a.h, dx: 0, dy: 1 }, { x: lean(b, ac.x), y: b.y, dx: 0, dy: -1 }];
  if (b.y + b.h < a.y) return [{ x: lean(a, bc.x), y: a.y, dx: 0, dy: -1 }, { x: lean(b, ac.x), y: b.y + b.h, dx: 0, dy: 1 }];
  if (ac.x <= bc.x) return [{ x: a.x + a.w, y: ac.y, dx: 1, dy: 0 }, { x: b.x, y: bc.y, dx: -1, dy: 0 }];
  return [{ x: a.x, y: ac.y, dx: -1, dy: 0 }, { x: b.x + b.w, y: bc.y, dx: 1, dy: 0 }];
}
