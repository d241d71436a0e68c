// A searchable picker for a foreign-key column: type to search the referenced
// table by its most readable column (name, title, email...), pick a row, and
// its key is filled in. The key stays editable by hand.

import { h, mount } from "./dom.js";
import { rest } from "./api.js";

const LABELS = ["name", "title", "email", "label", "slug", "username", "display_name", "displayName", "handle", "code"];

/** The column a person recognises a row by, or null: a known name first, then the first text column. */
export function labelColumn(table) {
  const secret = new Set((table.access && table.access.hidden_columns) || []);
  const texts = table.columns.filter((c) => (c.type === "text" || c.type === "varchar") && !secret.has(c.name) && !table.primary_key.includes(c.name));
  return texts.find((c) => LABELS.includes(c.name)) || texts.find((c) => LABELS.some((l) => c.name.toLowerCase().endsWith(l.toLowerCase()))) || texts[0] || null;
}

export function picker(schema, fk, column, value, attrs) {
  const target = schema.tables.find((t) => t.name === fk.ref_table);
  const key = fk.ref_columns[0] || target.primary_key[0];
  const label = labelColumn(target);
  const input = h("input", { ...attrs, type: "text", value: value ?? "", autocomplete: "off", placeholder: `search ${target.name}${label ? " by " + label.name : ""}\u2026` });
  const list = h("ul", { class: "picker-list", role: "listbox", hidden: true });
  let timer = null;
  let seq = 0;
  const search = async () => {
    const mine = ++seq;
    const params = new URLSearchParams({ select: "*", limit: "8" });
    const q = input.value.trim();
    if (label) {
      params.set("order", `${label.name}.asc`);
      if (q) params.set(label.name, `ilike.*${q.replace(/[*,()]/g, "")}*`);
    }
    const result = await rest("GET", target.name, { params });
    if (mine !== seq) return;
    if (!result.ok) {
      mount(list, h("li", { class: "muted" }, result.error.message || "cannot search"));
    } else if (!result.data.length) {
      mount(list, h("li", { class: "muted" }, `no ${target.name} rows match`));
    } else {
      mount(
        list,
        result.data.map((row) =>
          h(
            "li",
            { role: "option", "data-key": row[key], onmousedown: (e) => { e.preventDefault(); choose(row[key]); } },
            label && row[label.name] !== null ? h("strong", {}, String(row[label.name])) : null,
            h("span", { class: "muted" }, ` ${row[key]}`),
          ),
        ),
      );
    }
    list.hidden = false;
  };
  const choose = (k) => {
    input.value = k;
    list.hidden = true;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  input.addEventListener("focus", search);
  input.addEventListener("input", (e) => {
    if (!e.isTrusted) return;
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("blur", () => setTimeout(() => (list.hidden = true), 150));
  input.addEventListener("keydown", (e) => e.key === "Escape" && (list.hidden = true));
  return h("div", { class: "picker" }, input, list);
}
