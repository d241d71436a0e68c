// The schema explorer: sections and tables as the document groups them, each
// table's columns, keys, enums, defaults, notes, access and conventions, and
// the diagnostics, every one linked to the document line it is about.

import { authHeaders } from "./api.js";
import { h, mount } from "./dom.js";

const lineLink = (line) => (line ? h("a", { href: `#/doc/${line}`, class: "line" }, `line ${line}`) : null);

export function sidebar(schema, current, hrefFor) {
  const filter = h("input", { type: "search", placeholder: "Filter tables\u2026", "aria-label": "filter tables" });
  const groups = schema.sections.map((section) =>
    h(
      "div",
      { class: "nav-group" },
      h("div", { class: "nav-section", title: section.name }, section.name),
      section.tables.map((name) => h("a", { href: hrefFor(name), class: name === current ? "active" : "", "data-name": name }, name)),
    ),
  );
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    for (const a of groups.flatMap((g) => [...g.querySelectorAll("a")])) a.hidden = q && !a.dataset.name.toLowerCase().includes(q);
  });
  return h("nav", { class: "sidebar" }, filter, groups);
}

function diagnostics(list) {
  if (!list.length) return h("p", { class: "muted" }, "No diagnostics: every part of the document was read.");
  return h(
    "table",
    { class: "grid diagnostics" },
    h("thead", {}, h("tr", {}, h("th", {}, "level"), h("th", {}, "line"), h("th", {}, "message"))),
    h("tbody", {}, list.map((d) => h("tr", { class: `level-${d.level}` }, h("td", {}, h("span", { class: `badge ${d.level}` }, d.level)), h("td", {}, lineLink(d.line)), h("td", {}, d.message)))),
  );
}

export function overview(schema) {
  const counts = { error: 0, warning: 0, info: 0 };
  schema.diagnostics.forEach((d) => (counts[d.level] = (counts[d.level] || 0) + 1));
  const levelFilter = h("select", { "aria-label": "diagnostic level" }, ["all", "error", "warning", "info"].map((l) => h("option", { value: l }, l)));
  const holder = h("div", {}, diagnostics(schema.diagnostics));
  levelFilter.addEventListener("change", () => mount(holder, diagnostics(schema.diagnostics.filter((d) => levelFilter.value === "all" || d.level === levelFilter.value))));
  return h(
    "div",
    { class: "overview" },
    h("h2", {}, schema.document || "Schema"),
    h("p", {}, `${schema.tables.length} tables in ${schema.sections.length} section(s), ${schema.relationships.length} foreign keys, ${schema.enums.length} enums, ${schema.policies.length} policies.`),
    schema.sections.map((section) =>
      h("section", { class: "section-card" }, h("h3", {}, section.name), h("div", { class: "chips" }, section.tables.map((n) => h("a", { class: "chip", href: `#/schema/${encodeURIComponent(n)}` }, n)))),
    ),
    h("h3", {}, "Diagnostics ", h("span", { class: "muted" }, `${counts.error} errors, ${counts.warning} warnings, ${counts.info} notes`), " ", levelFilter),
    holder,
  );
}

function keysOf(table, column) {
  const out = [];
  if (table.primary_key.includes(column.name)) out.push(h("span", { class: "badge pk" }, "PK"));
  for (const fk of table.foreign_keys.filter((f) => f.columns.includes(column.name))) {
    out.push(h("a", { class: "badge fk", href: `#/schema/${encodeURIComponent(fk.ref_table)}`, title: fk.inferred ? "target inferred from the name" : "" }, `\u2192 ${fk.ref_table}${fk.ref_columns.length ? "." + fk.ref_columns.join(",") : ""}`));
  }
  for (const u of table.unique.filter((u) => u.columns.includes(column.name))) {
    out.push(h("span", { class: "badge uq", title: u.columns.join(", ") }, u.columns.length > 1 ? `unique(${u.columns.join(", ")})` : "unique"));
  }
  return out;
}

function columnRows(table) {
  const conventions = new Map();
  for (const c of table.conventions) (conventions.get(c.column) || conventions.set(c.column, []).get(c.column)).push(c);
  return table.columns.map((c) =>
    h(
      "tr",
      { "data-column": c.name },
      h("td", {}, h("code", {}, c.name)),
      h("td", {}, c.type, c.length ? `(${c.length})` : "", c.inferred ? h("span", { class: "muted", title: "the document gave no type" }, " inferred") : ""),
      h("td", {}, c.nullable === false ? "not null" : c.nullable === true ? "null" : h("span", { class: "muted" }, "unstated")),
      h("td", {}, keysOf(table, c)),
      h("td", {}, c.default ? h("code", {}, c.default) : c.server_default ? h("code", { class: "muted", title: "added by docbase" }, c.server_default) : ""),
      h("td", {}, c.enum ? h("span", { class: "enum" }, c.enum.join(" | ")) : c.examples ? h("span", { class: "muted" }, "e.g. " + c.examples.join(", ")) : ""),
      h("td", {}, (conventions.get(c.name) || []).map((cv) => h("span", { class: `badge conv-${cv.name}`, title: cv.text }, cv.name)), [c.comment, ...c.notes].filter(Boolean).map((n) => h("div", { class: "note" }, n))),
      h("td", {}, lineLink(c.line)),
    ),
  );
}

function accessBlock(table) {
  const a = table.access;
  if (!a) return null;
  return h(
    "section",
    { class: "access" },
    h("h3", {}, "Access ", h("span", { class: `scope scope-${a.scope}` }, a.scope)),
    h("p", {}, a.reason),
    a.path.length ? h("p", { class: "muted" }, "Path: ", a.path.map((p) => `${p.table}.${p.columns.join(",")} \u2192 ${p.ref_table}`).join(" \u2192 ")) : null,
    h("table", { class: "grid" }, h("tbody", {}, Object.entries(a.rules).map(([cmd, who]) => h("tr", {}, h("th", {}, cmd), h("td", {}, who.join(", ")))))),
    a.hidden_columns.length ? h("p", {}, "Hidden from ordinary users: ", a.hidden_columns.join(", ")) : null,
  );
}

export function tableDetail(schema, name) {
  const table = schema.tables.find((t) => t.name === name);
  if (!table) return h("p", { class: "error" }, `No table named ${name} in this document.`);
  const children = schema.relationships.filter((r) => r.to === name);
  const policies = schema.policies.filter((p) => p.table === name);
  return h(
    "div",
    { class: "table-detail", "data-table": name },
    h("h2", {}, table.name, " ", h("span", { class: "muted small" }, table.section_path, " \u00b7 "), lineLink(table.line)),
    h("div", { class: "actions" }, h("a", { class: "button", href: `#/data/${encodeURIComponent(name)}` }, "Browse rows"), h("a", { class: "button", href: `#/diagram/${encodeURIComponent(name)}` }, "Show in diagram")),
    table.comment ? h("p", {}, table.comment) : null,
    table.notes.map((n) => h("p", { class: "note" }, n)),
    h(
      "table",
      { class: "grid columns" },
      h("thead", {}, h("tr", {}, ["column", "type", "null", "keys", "default", "values", "notes", "source"].map((t) => h("th", {}, t)))),
      h("tbody", {}, columnRows(table)),
    ),
    table.indexes.length ? h("section", {}, h("h3", {}, "Indexes"), h("ul", {}, table.indexes.map((i) => h("li", {}, `${i.unique ? "unique " : ""}${i.method || "btree"} (${i.columns.join(", ")})${i.where ? " where " + i.where : ""}${i.name ? " \u2014 " + i.name : ""}`)))) : null,
    table.checks.length ? h("section", {}, h("h3", {}, "Checks"), h("ul", {}, table.checks.map((c) => h("li", {}, h("code", {}, c.expression))))) : null,
    children.length ? h("section", {}, h("h3", {}, "Referenced by"), h("ul", {}, children.map((r) => h("li", {}, h("a", { href: `#/schema/${encodeURIComponent(r.from)}` }, r.from), `.${r.columns.join(", ")} (${r.cardinality})`)))) : null,
    accessBlock(table),
    (table.rules || []).length ? h("section", { class: "rules" }, h("h3", {}, "Rules the database enforces"), h("ul", {}, table.rules.map((r) => h("li", {}, h("span", { class: `badge rule-${r.kind}` }, r.kind), ` ${r.text} `, lineLink(r.line))))) : null,
    table.conventions.length ? h("section", {}, h("h3", {}, "Conventions applied"), h("ul", {}, table.conventions.map((c) => h("li", {}, h("span", { class: `badge conv-${c.name}` }, c.name), ` ${c.column}: ${c.text}`)))) : null,
    policies.length ? h("section", {}, h("h3", {}, "Policies from the document"), h("ul", {}, policies.map((p) => h("li", {}, `${p.name} (${p.command}) `, lineLink(p.line))))) : null,
  );
}

/** The document's text with line numbers, the given line highlighted and scrolled into view. */
export async function documentView(root, line) {
  mount(root, h("p", { class: "muted" }, "Loading the document\u2026"));
  const response = await fetch("console/api/document", { headers: authHeaders() });
  if (response.status === 401) return mount(root, h("p", { class: "error" }, "Sign in (or use the service_role key) to see the design document."));
  if (!response.ok) return mount(root, h("p", { class: "error" }, "The document file is not available on the server."));
  const lines = (await response.text()).split("\n");
  const rows = lines.map((text, i) => h("div", { class: `doc-line${i + 1 === line ? " target" : ""}`, id: `L${i + 1}` }, h("span", { class: "ln" }, String(i + 1)), h("span", { class: "lt" }, text)));
  mount(root, h("div", { class: "doc" }, rows));
  root.querySelector(".target")?.scrollIntoView({ block: "center" });
}
