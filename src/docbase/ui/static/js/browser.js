// The rows of one table: paging, sorting and filters written in /rest/v1's own
// query language and kept in the page address (#/data/t?status=eq.up&order=name.asc),
// so a view can be bookmarked and the same query pasted into curl.

import { h, mount, valueNode } from "./dom.js";
import { currentSession, keyFilter, rest } from "./api.js";
import { watchTable } from "./live.js";

export const PAGE = 50;
const RESERVED = new Set(["order", "offset", "limit", "select"]);
const OPS = [
  ["eq", "="],
  ["neq", "\u2260"],
  ["gt", ">"],
  ["gte", "\u2265"],
  ["lt", "<"],
  ["lte", "\u2264"],
  ["ilike", "contains"],
  ["is.null", "is null"],
  ["not.is.null", "is not null"],
];

/** A filter as PostgREST writes it: (column, "ilike", "x") -> ["column", "ilike.*x*"]. */
export function filterParam(column, op, value) {
  if (op === "is.null") return [column, "is.null"];
  if (op === "not.is.null") return [column, "not.is.null"];
  if (op === "ilike") return [column, `ilike.*${value.replace(/\*/g, "")}*`];
  return [column, `${op}.${value}`];
}

function hrefWith(table, query, changes) {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  const qs = next.toString();
  return `#/data/${encodeURIComponent(table.name)}${qs ? "?" + qs : ""}`;
}

function filterBar(table, query, go) {
  const column = h("select", { "aria-label": "filter column" }, table.columns.map((c) => h("option", { value: c.name }, c.name)));
  const op = h("select", { "aria-label": "filter operator" }, OPS.map(([v, t]) => h("option", { value: v }, t)));
  const value = h("input", { type: "text", placeholder: "value", "aria-label": "filter value" });
  const add = h("button", { type: "submit" }, "Add filter");
  const form = h("form", { class: "filter-bar" }, column, op, value, add);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const [k, v] = filterParam(column.value, op.value, value.value);
    const next = new URLSearchParams(query);
    next.append(k, v);
    next.delete("offset");
    go(`#/data/${encodeURIComponent(table.name)}?${next}`);
  });
  const chips = [];
  for (const [k, v] of query) {
    if (RESERVED.has(k)) continue;
    const rest = new URLSearchParams([...query].filter(([k2, v2]) => !(k2 === k && v2 === v)));
    rest.delete("offset");
    chips.push(h("a", { class: "chip filter", href: `#/data/${encodeURIComponent(table.name)}${rest.toString() ? "?" + rest : ""}`, title: "remove this filter" }, `${k}=${v} \u00d7`));
  }
  return h("div", { class: "filters" }, form, chips);
}

function header(table, query) {
  const [sortCol, sortDir] = (query.get("order") || "").split(".");
  return h(
    "tr",
    {},
    table.columns.map((c) => {
      const dir = sortCol === c.name ? sortDir : null;
      const next = dir === "asc" ? `${c.name}.desc` : `${c.name}.asc`;
      const arrow = dir === "asc" ? " \u25b2" : dir === "desc" ? " \u25bc" : "";
      return h("th", { "data-column": c.name }, h("a", { href: hrefWith(table, query, { order: next, offset: null }), title: "sort" }, c.name, arrow), h("div", { class: "coltype" }, c.type));
    }),
  );
}

function deniedHint() {
  const who = currentSession();
  if (who.role === "anon") return "Sign in (top right) with a user, or paste the service key for the admin view.";
  return `Signed in as ${who.email || who.role}: this role may not read these rows.`;
}

/** Render the list view; `query` is the URLSearchParams from the address. */
export async function renderBrowser(root, schema, table, query, go, flash) {
  const offset = Math.max(0, Number(query.get("offset") || 0) || 0);
  const params = new URLSearchParams(query);
  params.set("select", "*");
  params.set("limit", String(PAGE));
  params.set("offset", String(offset));
  if (!params.get("order") && table.primary_key.length) params.set("order", table.primary_key.map((k) => `${k}.asc`).join(","));
  const body = h("div", { class: "rows-body" }, h("p", { class: "muted" }, "Loading\u2026"));
  const live = h("span", { class: "live", "data-live": "connecting", title: "live updates" }, "connecting\u2026");
  const title = h("div", { class: "rows-head" }, h("h2", {}, table.name), h("span", { class: "count muted" }), live, h("a", { class: "button primary", href: `#/data/${encodeURIComponent(table.name)}/new` }, "New row"), h("a", { class: "button", href: `#/schema/${encodeURIComponent(table.name)}` }, "Columns"));
  mount(root, h("div", { class: "rows", "data-table": table.name }, flash ? h("div", { class: "banner ok", role: "status" }, flash) : null, title, filterBar(table, query, go), body));
  const load = (changed = []) => showRows(body, title, table, query, params, offset, go, changed);
  watchTable(table.name, table.primary_key, (keys) => body.isConnected && load(keys), (state, why) => {
    live.dataset.live = state;
    live.textContent = state === "live" ? "\u25cf live" : state === "off" ? "not live" : "connecting\u2026";
    live.title = state === "off" ? `No live updates: ${why}` : "Rows change here as they change in the database";
  });
  await load();
}

/** (Re-)read the page's rows through /rest/v1; rows whose keys are in `changed` are marked for a moment. */
async function showRows(body, title, table, query, params, offset, go, changed) {
  const result = await rest("GET", table.name, { params, prefer: "count=exact" });
  if (!result.ok) {
    const e = result.error;
    mount(body, h("div", { class: "banner error", role: "alert" }, `${e.message || "Request failed"}${e.hint ? " \u2014 " + e.hint : ""}`, result.status === 401 || result.status === 403 ? h("div", {}, deniedHint()) : null));
    return;
  }
  const marked = new Set(changed.map((k) => JSON.stringify(k)));
  const total = result.total ?? result.data.length;
  title.querySelector(".count").textContent = `${total} row${total === 1 ? "" : "s"}`;
  const rows = result.data.map((row) =>
    h(
      "tr",
      {
        class: [table.primary_key.length ? "clickable" : "", marked.has(JSON.stringify(table.primary_key.map((k) => row[k]))) ? "changed" : ""].join(" ").trim(),
        onclick: () => table.primary_key.length && go(`#/data/${encodeURIComponent(table.name)}/row?${keyFilter(table, row)}`),
      },
      table.columns.map((c) => h("td", { "data-column": c.name }, c.name in row ? valueNode(row[c.name], 48) : h("span", { class: "muted" }, "hidden"))),
    ),
  );
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const page = Math.floor(offset / PAGE) + 1;
  const pager = h(
    "div",
    { class: "pager" },
    offset > 0 ? h("a", { class: "button", href: hrefWith(table, query, { offset: String(Math.max(0, offset - PAGE)) }) }, "\u2190 Previous") : null,
    h("span", { class: "muted" }, `page ${page} of ${pages}`),
    offset + PAGE < total ? h("a", { class: "button", href: hrefWith(table, query, { offset: String(offset + PAGE) }) }, "Next \u2192") : null,
  );
  mount(
    body,
    table.primary_key.length ? null : h("p", { class: "muted" }, "This table has no primary key, so its rows cannot be opened or edited one by one."),
    rows.length ? h("div", { class: "grid-wrap" }, h("table", { class: "grid data" }, h("thead", {}, header(table, query)), h("tbody", {}, rows))) : h("p", { class: "muted empty" }, "No rows to show."),
    pager,
  );
}
