// File columns (docbase.conventions.files): upload into /storage/v1 as supabase-js
// does, write the reference the column holds (a URL, a bucket path or an object
// id), and preview what a reference points at. Reads go through the same
// credentials as every other request, so a preview shows only what the signed-in
// user may read; the bytes become a blob: URL, never a link that carries a token.

import { h } from "./dom.js";
import { authHeaders, currentSession } from "./api.js";

const OBJECT = "/storage/v1/object/";

/** The first folder of an upload: the row's tenant id when the page knows it, else the user's own id. */
export function folderFor(table, values) {
  const folder = table.file_folder || { user: "sub" };
  if (folder.column && values[folder.column] !== null && values[folder.column] !== undefined && values[folder.column] !== "") return String(values[folder.column]);
  return currentSession().sub || "console";
}

function safeName(name) {
  const cleaned = String(name || "file").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return (cleaned || "file").slice(0, 100);
}

/** Upload `file`; returns {ok, value} (what the column should hold) or {ok: false, error}. */
export async function upload(schema, table, column, file, values) {
  const bucket = schema.files_bucket || "files";
  const id = crypto.randomUUID();
  const path = [folderFor(table, values), table.name, column.name, `${id}-${safeName(file.name)}`].map(encodeURIComponent).join("/");
  let response;
  try {
    response = await fetch(`storage/v1/object/${encodeURIComponent(bucket)}/${path}`, {
      method: "POST",
      headers: { ...authHeaders(), "Content-Type": file.type || "application/octet-stream", "x-upsert": "false", "cache-control": "max-age=3600" },
      body: file,
    });
  } catch (err) {
    return { ok: false, error: `The server did not answer: ${err.message}` };
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return { ok: false, error: body.message || `Upload failed (${response.status})` };
  const key = decodeURIComponent(path);
  if (column.file === "id") return { ok: true, value: body.Id || body.id };
  if (column.file === "path") return { ok: true, value: `${bucket}/${key}` };
  return { ok: true, value: new URL(`storage/v1/object/authenticated/${encodeURIComponent(bucket)}/${path}`, document.baseURI).href };
}

/** The `bucket/path` a column value points at in this server's storage, or null (an outside link, an id). */
export function storedPath(column, value) {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value);
  if (column.file === "path") return text.replace(/^\/+/, "");
  if (column.file !== "url") return null;
  let url;
  try {
    url = new URL(text, document.baseURI);
  } catch {
    return null;
  }
  if (url.origin !== location.origin) return null;
  const at = url.pathname.indexOf(OBJECT);
  if (at < 0) return null;
  const rest = decodeURIComponent(url.pathname.slice(at + OBJECT.length));
  return rest.replace(/^(authenticated|public)\//, "");
}

/** A preview of the file a value points at: an image inline, anything else as a download link. */
export function preview(column, value) {
  const path = storedPath(column, value);
  const box = h("div", { class: "file-preview", "data-preview-for": column.name });
  if (!path) return box;
  box.append(h("span", { class: "muted" }, "loading the file\u2026"));
  const url = `storage/v1/object/authenticated/${path.split("/").map(encodeURIComponent).join("/")}`;
  fetch(url, { headers: authHeaders() })
    .then(async (response) => {
      box.textContent = "";
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        box.append(h("span", { class: "muted" }, `file not readable: ${body.message || response.status}`));
        return;
      }
      const blob = await response.blob();
      const link = URL.createObjectURL(blob);
      const name = path.split("/").pop();
      if (blob.type.startsWith("image/")) box.append(h("img", { src: link, alt: name, class: "thumb" }));
      box.append(h("a", { href: link, download: name }, `${name} (${blob.type || "file"}, ${blob.size} bytes)`));
    })
    .catch((err) => {
      box.textContent = `file not readable: ${err.message}`;
    });
  return box;
}
