// The console's entry point: loads the schema JSON once, then routes on the
// address's #fragment so every view (a table, a row, a diagram focus, a
// document line) has a link that can be shared and reloaded.

import { h, mount } from "./dom.js";
import { authHeaders, configure, currentSession, onSessionChange, rest, signIn, signOut, useKey } from "./api.js";
import { renderBrowser } from "./browser.js";
import { renderDiagram } from "./diagram.js";
import { documentView, overview, sidebar, tableDetail } from "./explorer.js";
import { renderForm } from "./form.js";
import { stopWatching } from "./live.js";
import { renderRow } from "./rowview.js";
import { renderUsers } from "./users.js";

const view = document.getElementById("view");
let schema = null;
let flash = null;

/** Navigate; `message` is shown once on the next page (e.g. "Row deleted."). */
function go(hash, message = null) {
  flash = message;
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parse() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(qs) };
}

function findTable(name) {
  return schema.tables.find((t) => t.name === name) || null;
}

function withSidebar(current, hrefFor, content) {
  mount(view, h("div", { class: "with-sidebar" }, sidebar(schema, current, hrefFor), h("div", { class: "content" }, content)));
}

async function route() {
  const { parts, query } = parse();
  const [tab = "schema", name, action] = parts;
  const message = flash;
  flash = null;
  if (!(tab === "data" && name && !action)) stopWatching(); // live updates belong to the rows view only
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.tab === tab));
  if (tab === "diagram") return renderDiagram(view, schema, name || null);
  if (tab === "doc") return documentView(view, Number(name) || 0);
  if (tab === "users") return renderUsers(view, Number(name) || 1, message);
  if (tab === "data") {
    const table = name ? findTable(name) : null;
    const content = h("div", {});
    withSidebar(name, (n) => `#/data/${encodeURIComponent(n)}`, content);
    if (!table) return mount(content, h("p", { class: "muted" }, name ? `No table named ${name}.` : "Choose a table to browse its rows."));
    if (action === "new") return renderForm(content, schema, table, null, () => go(`#/data/${encodeURIComponent(table.name)}`, "Row created."));
    if (action === "row") return renderRow(content, schema, table, query, go);
    if (action === "edit") return editRow(content, table, query);
    return renderBrowser(content, schema, table, query, go, message);
  }
  const content = name ? tableDetail(schema, name) : overview(schema);
  withSidebar(name, (n) => `#/schema/${encodeURIComponent(n)}`, content);
}

async function editRow(content, table, query) {
  const params = new URLSearchParams(query);
  params.set("select", "*");
  params.set("limit", "2");
  const result = await rest("GET", table.name, { params });
  if (!result.ok || result.data.length !== 1) {
    return mount(content, h("div", { class: "banner error", role: "alert" }, result.ok ? "No such row." : result.error.message));
  }
  renderForm(content, schema, table, result.data[0], (saved) => {
    const keys = new URLSearchParams();
    for (const k of table.primary_key) keys.append(k, `eq.${saved[k] ?? result.data[0][k]}`);
    go(`#/data/${encodeURIComponent(table.name)}/row?${keys}`, "Saved.");
  });
}

function sessionBox() {
  const box = document.getElementById("session");
  const render = () => {
    const s = currentSession();
    const who = s.role === "anon" ? "not signed in" : s.email ? `${s.email} (${s.role})` : s.role;
    mount(
      box,
      h("span", { class: `who role-${s.role}`, "data-role": s.role }, who),
      s.role === "anon" ? h("button", { type: "button", onclick: openDialog }, "Sign in") : h("button", { type: "button", onclick: () => { signOut(); route(); } }, "Sign out"),
    );
  };
  onSessionChange(async () => {
    render();
    await loadSchema(); // the schema JSON is scoped to the caller: signing in shows more, signing out less
    route();
  });
  render();
}

function openDialog() {
  const s = currentSession();
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const anon = h("input", { type: "password", name: "apikey", placeholder: "anon key" });
  const key = h("textarea", { name: "service_key", rows: 3, placeholder: "paste the service_role key (docbase keys DOC)", spellcheck: "false" });
  const userError = h("div", { class: "field-error", role: "alert" });
  const keyError = h("div", { class: "field-error", role: "alert" });
  const dialog = h("dialog", { class: "signin" });
  const userForm = h(
    "form",
    { class: "signin-user" },
    h("h3", {}, "Sign in as a user"),
    h("label", {}, "Email", email),
    h("label", {}, "Password", password),
    s.anonKey ? null : h("label", {}, "API key (anon)", anon),
    userError,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  userForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    userError.textContent = "";
    const problem = await signIn(email.value.trim(), password.value, anon.value.trim() || null);
    if (problem) userError.textContent = problem;
    else dialog.close();
  });
  const keyForm = h("form", { class: "signin-key" }, h("h3", {}, "Or use an API key"), h("p", { class: "muted" }, "The service key gives the admin view. It is kept in this page's memory only and forgotten on reload."), key, keyError, h("button", { type: "submit" }, "Use key"));
  keyForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const problem = useKey(key.value);
    if (problem) keyError.textContent = problem;
    else dialog.close();
  });
  mount(dialog, userForm, keyForm, h("form", { method: "dialog" }, h("button", { type: "submit" }, "Cancel")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** Fetch the schema JSON with the session's credentials; false (and a banner) when it cannot be loaded. */
async function loadSchema() {
  const response = await fetch("console/api/schema", { headers: authHeaders() });
  if (!response.ok) {
    mount(view, h("div", { class: "banner error" }, `The schema could not be loaded (${response.status}).`));
    return false;
  }
  schema = await response.json();
  document.body.dataset.schemaFor = currentSession().role;
  return true;
}

async function start() {
  if (!(await loadSchema())) return;
  configure(schema.anon_key);
  document.getElementById("doc-name").textContent = schema.document || "";
  document.title = `${schema.document || "docbase"} \u2014 docbase console`;
  sessionBox();
  window.addEventListener("hashchange", route);
  await route();
  document.body.dataset.ready = "true";
}

start();
