// One row, with its relations both ways: the rows it references (follow a
// foreign key) and, per child table, the rows that reference it.

import { h, mount, valueNode } from "./dom.js";
import { keyFilter, rest } from "./api.js";
import { labelColumn } from "./picker.js";
import { preview } from "./files.js";

const tableHref = (name, params) => `#/data/${encodeURIComponent(name)}${params && params.toString() ? "?" + params : ""}`;

function rowHref(table, row) {
  return `#/data/${encodeURIComponent(table.name)}/row?${keyFilter(table, row)}`;
}

function parentLinks(schema, table, row) {
  return table.foreign_keys.map((fk) => {
    const target = schema.tables.find((t) => t.name === fk.ref_table);
    const values = fk.columns.map((c) => row[c]);
    if (!target || values.some((v) => v === null || v === undefined)) return null;
    const refCols = fk.ref_columns.length ? fk.ref_columns : target.primary_key;
    const params = new URLSearchParams();
    refCols.forEach((c, i) => params.append(c, `eq.${values[i]}`));
    const holder = h("span", { class: "muted" }, "\u2026");
    const label = labelColumn(target);
    rest("GET", target.name, { params: new URLSearchParams([...params, ["select", "*"], ["limit", "1"]]) }).then((r) => {
      if (!r.ok) holder.textContent = r.error.message || "not readable";
      else if (!r.data.length) holder.textContent = "missing row";
      else holder.textContent = label && r.data[0][label.name] !== null ? String(r.data[0][label.name]) : "";
    });
    return h("li", {}, `${fk.columns.join(", ")} \u2192 `, h("a", { href: `#/data/${encodeURIComponent(target.name)}/row?${params}` }, `${target.name} ${values.join(", ")}`), " ", holder);
  });
}

function childSection(schema, rel, row) {
  const child = schema.tables.find((t) => t.name === rel.from);
  const params = new URLSearchParams();
  rel.columns.forEach((c, i) => params.append(c, `eq.${row[rel.ref_columns[i]]}`));
  const box = h("div", { class: "children", "data-child": rel.from }, h("h4", {}, h("a", { href: tableHref(rel.from, params) }, rel.from), h("span", { class: "muted" }, ` .${rel.columns.join(", ")}`), h("span", { class: "count muted" }, " \u2026")));
  if (rel.ref_columns.some((c) => row[c] === null || row[c] === undefined)) return null;
  const query = new URLSearchParams(params);
  query.set("select", "*");
  query.set("limit", "5");
  rest("GET", rel.from, { params: query, prefer: "count=exact" }).then((r) => {
    const count = box.querySelector(".count");
    if (!r.ok) {
      count.textContent = ` \u2014 ${r.error.message || "not readable"}`;
      return;
    }
    count.textContent = ` \u2014 ${r.total ?? r.data.length} row(s)`;
    if (!r.data.length || !child) return;
    const label = labelColumn(child);
    box.append(h("ul", {}, r.data.map((c) => h("li", {}, child.primary_key.length ? h("a", { href: rowHref(child, c) }, child.primary_key.map((k) => c[k]).join(", ")) : "", label ? ` ${c[label.name] ?? ""}` : ""))));
  });
  return box;
}

/** Render the row chosen by `filters` (its primary key as eq filters). */
export async function renderRow(root, schema, table, filters, go) {
  const params = new URLSearchParams(filters);
  params.set("select", "*");
  params.set("limit", "2");
  mount(root, h("p", { class: "muted" }, "Loading\u2026"));
  const result = await rest("GET", table.name, { params });
  if (!result.ok) return mount(root, h("div", { class: "banner error", role: "alert" }, result.error.message || "Request failed"));
  if (result.data.length !== 1) return mount(root, h("div", { class: "banner error", role: "alert" }, result.data.length ? "More than one row matches this key." : "No such row (it was deleted, or your role may not see it)."), h("a", { class: "button", href: tableHref(table.name) }, "Back to the rows"));
  const row = result.data[0];
  const confirm = h("button", { type: "button", class: "danger", hidden: true }, "Yes, delete it");
  const message = h("div", { class: "banner error", role: "alert", hidden: true });
  const askDelete = h("button", { type: "button", class: "danger-outline", onclick: () => { confirm.hidden = false; askDelete.hidden = true; } }, "Delete");
  confirm.addEventListener("click", async () => {
    const r = await rest("DELETE", table.name, { params: keyFilter(table, row), prefer: "return=representation" });
    if (!r.ok) {
      message.textContent = r.error.code === "23503" ? "Other rows still refer to this one; delete or change them first." : r.error.message;
      message.hidden = false;
      return;
    }
    if (Array.isArray(r.data) && !r.data.length) {
      message.textContent = "Nothing was deleted: your role may not delete this row.";
      message.hidden = false;
      return;
    }
    go(tableHref(table.name), "Row deleted.");
  });
  const fields = table.columns.map((c) => h("tr", { "data-column": c.name }, h("th", {}, c.name), h("td", {}, c.name in row ? [valueNode(row[c.name], 400), c.file ? preview(c, row[c.name]) : null] : h("span", { class: "muted" }, "hidden"))));
  const children = schema.relationships.filter((r) => r.to === table.name && r.known_target !== false);
  const parents = parentLinks(schema, table, row).filter(Boolean);
  mount(
    root,
    h(
      "div",
      { class: "row-view", "data-table": table.name },
      h("div", { class: "rows-head" }, h("h2", {}, `${table.name} `, h("span", { class: "muted" }, table.primary_key.map((k) => row[k]).join(", "))), h("a", { class: "button", href: tableHref(table.name) }, "\u2190 All rows"), h("a", { class: "button primary", href: `#/data/${encodeURIComponent(table.name)}/edit?${keyFilter(table, row)}` }, "Edit"), askDelete, confirm),
      message,
      h("table", { class: "grid record" }, h("tbody", {}, fields)),
      h("section", {}, h("h3", {}, "References"), h("ul", {}, parents.length ? parents : h("li", { class: "muted" }, "none set"))),
      h("section", {}, h("h3", {}, "Referenced by"), children.length ? children.map((rel) => childSection(schema, rel, row)) : h("p", { class: "muted" }, "No table references this one.")),
    ),
  );
}
