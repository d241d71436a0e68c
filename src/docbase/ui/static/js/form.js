// Create and edit forms. Values go out through POST / PATCH with
// `Prefer: return=representation`; a refusal is explained next to the field it
// concerns (unique, foreign key, not null, bad value) instead of as raw JSON.

import { h, mount } from "./dom.js";
import { keyFilter, rest } from "./api.js";
import { explain } from "./errors.js";
import { field } from "./inputs.js";

/**
 * Render a form for `table` into `root`. `row` is null to create one.
 * `done(savedRow)` is called after a successful save.
 */
export function renderForm(root, schema, table, row, done) {
  const creating = row === null;
  const hidden = new Set((table.access && table.access.hidden_columns) || []);
  const fields = table.columns.filter((c) => !(hidden.has(c.name) && !creating && !(c.name in row))).map((c) => field(schema, table, c, creating ? null : row[c.name], row));
  const banner = h("div", { class: "banner error", role: "alert", hidden: true });
  const status = h("span", { class: "muted" });
  const save = h("button", { type: "submit", class: "primary" }, creating ? "Create row" : "Save changes");
  const form = h(
    "form",
    { class: "row-form", "data-table": table.name, novalidate: true },
    h("h2", {}, creating ? `New row in ${table.name}` : `Edit ${table.name}`),
    banner,
    h("div", { class: "fields" }, fields.map((f) => f.element)),
    h("div", { class: "actions" }, save, h("a", { class: "button", href: creating ? `#/data/${encodeURIComponent(table.name)}` : `#/data/${encodeURIComponent(table.name)}/row?${keyFilter(table, row)}` }, "Cancel"), status),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    banner.hidden = true;
    const values = {};
    let problems = 0;
    for (const f of fields) {
      f.setError(null);
      const got = f.read();
      if (got.error) {
        f.setError(got.error);
        problems += 1;
      } else if (!got.skip) values[f.column.name] = got.value;
    }
    if (problems) return showBanner(banner, "Fix the marked fields first.");
    if (!creating && !Object.keys(values).length) return showBanner(banner, "Nothing changed.");
    save.disabled = true;
    status.textContent = "saving\u2026";
    const result = creating
      ? await rest("POST", table.name, { params: { select: "*" }, body: values, prefer: "return=representation" })
      : await rest("PATCH", table.name, { params: withSelect(keyFilter(table, row)), body: values, prefer: "return=representation" });
    save.disabled = false;
    status.textContent = "";
    if (!result.ok) {
      const { fields: byColumn, banner: text } = explain(result.error, table, values);
      for (const f of fields) if (byColumn[f.column.name]) f.setError(byColumn[f.column.name]);
      if (text) showBanner(banner, text);
      form.querySelector(".field.invalid")?.scrollIntoView({ block: "center" });
      return;
    }
    const saved = Array.isArray(result.data) ? result.data[0] : result.data;
    if (!creating && !saved) return showBanner(banner, "No row was changed: it may have been deleted, or your role may not change it.");
    done(saved || values);
  });
  mount(root, form);
  return form;
}

function withSelect(params) {
  params.set("select", "*");
  return params;
}

function showBanner(banner, text) {
  banner.textContent = text;
  banner.hidden = false;
}
