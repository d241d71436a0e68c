// The users page (#/users): the project's auth users through the admin API
// (/auth/v1/admin, as supabase.auth.admin calls it), so it needs the
// service_role key. List (50 a page, total from x-total-count), invite by
// email, ban or lift a ban, delete (a second click confirms).

import { h, mount } from "./dom.js";
import { authHeaders, currentSession } from "./api.js";

const PER_PAGE = 50;
const BAN = "876000h"; // GoTrue's way of saying "until lifted": a hundred years

async function admin(method, path, body) {
  const headers = { ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`auth/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    return { ok: false, error: `The server did not answer: ${err.message}` };
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) return { ok: false, error: (data && (data.msg || data.message)) || `${response.status} ${response.statusText}` };
  return { ok: true, data, total: Number(response.headers.get("x-total-count") || 0) };
}

function when(iso) {
  return iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") : "";
}

function banned(user) {
  return Boolean(user.banned_until) && new Date(user.banned_until) > new Date();
}

/** Render the users page into `view`; `page` is 1-based. */
export async function renderUsers(view, page = 1, message = null) {
  if (currentSession().role !== "service_role") {
    return mount(view, h("div", { class: "banner error", role: "alert" }, "The users page needs the service_role key: Sign in, then use the key (docbase keys DOC)."));
  }
  const status = h("div", { class: "users-status", role: "status" });
  const say = (text, ok = true) => mount(status, text ? h("div", { class: `banner ${ok ? "ok" : "error"}` }, text) : null);
  const reload = (text) => renderUsers(view, page, text);

  const email = h("input", { type: "email", name: "invite_email", placeholder: "someone@example.com", required: true });
  const invite = h("form", { class: "users-invite" }, h("label", {}, "Invite by email ", email), h("button", { type: "submit", class: "primary" }, "Invite"));
  invite.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await admin("POST", "invite", { email: email.value.trim() });
    if (r.ok) reload(`Invitation sent to ${r.data.email}.`);
    else say(r.error, false);
  });

  const listed = await admin("GET", `admin/users?page=${page}&per_page=${PER_PAGE}`);
  if (!listed.ok) return mount(view, h("h2", {}, "Users"), invite, status, h("div", { class: "banner error", role: "alert" }, listed.error));
  const users = listed.data.users || [];
  const rows = users.map((u) => {
    const ban = h("button", { type: "button", class: "ban" }, banned(u) ? "Lift ban" : "Ban");
    ban.addEventListener("click", async () => {
      const r = await admin("PUT", `admin/users/${encodeURIComponent(u.id)}`, { ban_duration: banned(u) ? "none" : BAN });
      if (r.ok) reload(banned(u) ? `Ban lifted for ${u.email}.` : `${u.email} is banned.`);
      else say(r.error, false);
    });
    const del = h("button", { type: "button", class: "delete danger-outline" }, "Delete");
    del.addEventListener("click", async () => {
      if (del.dataset.armed !== "true") {
        del.dataset.armed = "true";
        del.textContent = "Confirm delete";
        return;
      }
      const r = await admin("DELETE", `admin/users/${encodeURIComponent(u.id)}`);
      if (r.ok) reload(`${u.email || u.id} deleted.`);
      else say(r.error, false);
    });
    return h(
      "tr",
      { dataset: { user: u.id, email: u.email || "" }, class: banned(u) ? "banned" : null },
      h("td", {}, u.email || h("span", { class: "muted" }, u.is_anonymous ? "anonymous" : "(no email)")),
      h("td", {}, when(u.created_at)),
      h("td", {}, when(u.last_sign_in_at)),
      h("td", {}, u.email_confirmed_at ? "yes" : u.invited_at ? "invited" : "no"),
      h("td", { class: "banned-until" }, banned(u) ? when(u.banned_until) : ""),
      h("td", {}, ban, " ", del),
    );
  });
  const pages = Math.max(1, Math.ceil(listed.total / PER_PAGE));
  const nav = h(
    "div",
    { class: "pager" },
    page > 1 ? h("a", { href: `#/users/${page - 1}` }, "\u2190 previous") : null,
    ` page ${page} of ${pages} (${listed.total} users) `,
    page < pages ? h("a", { href: `#/users/${page + 1}` }, "next \u2192") : null,
  );
  mount(
    view,
    h("h2", {}, "Users"),
    invite,
    status,
    h(
      "div",
      { class: "grid-wrap" },
      h(
        "table",
        { class: "grid users" },
        h("thead", {}, h("tr", {}, ...["Email", "Created", "Last sign-in", "Confirmed", "Banned until", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No users yet."))),
      ),
    ),
    nav,
  );
  if (message) say(message);
}
