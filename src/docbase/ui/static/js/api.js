// Talking to /rest/v1 and /auth/v1 exactly as supabase-js does, so the console
// sees what any client with the same credentials sees. Credentials live in this
// module's memory only: never localStorage, never a cookie, gone on reload.

const session = { anonKey: null, apikey: null, token: null, role: "anon", email: null };
const listeners = new Set();

export function configure(anonKey) {
  session.anonKey = anonKey || null;
  session.apikey = anonKey || null;
}

export function currentSession() {
  const sub = session.token ? (jwtClaims(session.token) || {}).sub || null : null;
  return { role: session.role, email: session.email, hasKey: Boolean(session.apikey), anonKey: session.anonKey, sub };
}

export function onSessionChange(fn) {
  listeners.add(fn);
}

function changed() {
  for (const fn of listeners) fn(currentSession());
}

/** The claims of a JWT, or null when the text is not one. */
export function jwtClaims(token) {
  const parts = String(token || "").trim().split(".");
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json);
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

/** Use a pasted key (service_role for the admin view) as both apikey and bearer. */
export function useKey(key) {
  const claims = jwtClaims(key);
  if (!claims || !claims.role) return "This is not an API key: expected a JWT with a role claim.";
  session.apikey = key.trim();
  session.token = key.trim();
  session.role = claims.role;
  session.email = null;
  changed();
  return null;
}

/** Sign in with email and password through /auth/v1; returns an error text or null. */
export async function signIn(email, password, apikey) {
  const key = apikey || session.anonKey;
  if (!key) return "An API key (the anon key) is needed to sign in.";
  let response;
  try {
    response = await fetch("auth/v1/token?grant_type=password", {
      method: "POST",
      headers: { apikey: key, "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
  } catch (err) {
    return `The server did not answer: ${err.message}`;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return body.msg || body.error_description || body.message || `Sign-in failed (${response.status})`;
  session.apikey = key;
  session.token = body.access_token;
  session.role = (jwtClaims(body.access_token) || {}).role || "authenticated";
  session.email = (body.user && body.user.email) || email;
  changed();
  return null;
}

export function signOut() {
  session.apikey = session.anonKey;
  session.token = null;
  session.role = "anon";
  session.email = null;
  changed();
}

function headers(extra) {
  const out = { Accept: "application/json", ...extra };
  if (session.apikey) out.apikey = session.apikey;
  if (session.token) out.Authorization = `Bearer ${session.token}`;
  return out;
}

/** The key and token a realtime socket joins with (the same caller as every /rest/v1 request). */
export function realtimeCredentials() {
  return { apikey: session.apikey, token: session.token };
}

/** The session's key and token as request headers (the design document needs a signed-in user or the service key). */
export function authHeaders() {
  return headers();
}

/** The total from a Content-Range header ("0-49/123" or "*\/0"), or null. */
export function totalOf(range) {
  const match = /\/(\d+)$/.exec(range || "");
  return match ? Number(match[1]) : null;
}

/**
 * One /rest/v1 request. Returns {ok, status, data, total, error}; error is the
 * PostgREST body {code, message, details, hint} (or one shaped like it).
 */
export async function rest(method, table, { params, body, prefer } = {}) {
  const query = params instanceof URLSearchParams ? params : new URLSearchParams(params || {});
  const qs = query.toString();
  const url = `rest/v1/${encodeURIComponent(table)}${qs ? "?" + qs : ""}`;
  const extra = {};
  if (prefer) extra.Prefer = prefer;
  if (body !== undefined) extra["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers: headers(extra), body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    return { ok: false, status: 0, data: null, total: null, error: { code: "network", message: `The server did not answer: ${err.message}` } };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && typeof data === "object" && !Array.isArray(data) ? data : { message: text || response.statusText };
    return { ok: false, status: response.status, data: null, total: null, error };
  }
  return { ok: true, status: response.status, data, total: totalOf(response.headers.get("Content-Range")), error: null };
}

/** Filters that pick exactly one row by its primary key: {id: "eq.7"}. */
export function keyFilter(table, row) {
  const params = new URLSearchParams();
  for (const name of table.primary_key) params.append(name, `eq.${row[name]}`);
  return params;
}
