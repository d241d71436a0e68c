"""supabase-js (``@supabase/storage-js``), the official JavaScript client, against a live server on both databases.

The same calls a browser app makes: Blob and raw uploads with metadata, upsert and
update, download, info, exists (HEAD), list with options, move, copy, signed URLs
(one and many), signed upload URLs, public URLs and remove; then the other tenant's
member tries each of them on the first tenant's object.
"""

from __future__ import annotations

import pytest

from ..clients.js import run_js
from .conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

BODY = """
const opts = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket } };
const as = async (name) => {
  const c = createClient(url, key, opts);
  const { error } = await c.auth.signInWithPassword({ email: `${name}@example.com`, password: process.env.PW });
  if (error) throw error;
  return c.storage;
};
const org = process.env.ORG_A, other = process.env.ORG_B;
const alice = (await as("alice")).from("files"), bob = (await as("bob")).from("files");
const text = async (blob) => (blob ? await blob.text() : null);
const out = {};
out.blob = (await alice.upload(`${org}/a.txt`, new Blob(["hello"], { type: "text/plain" }),
                               { metadata: { kind: "note" } })).data;
out.dup = (await alice.upload(`${org}/a.txt`, new Blob(["again"], { type: "text/plain" }))).error?.statusCode;
out.raw = (await alice.upload(`${org}/b.json`, JSON.stringify({ n: 1 }), { contentType: "application/json" })).error;
await alice.upload(`${org}/a.txt`, new Blob(["hello, again"], { type: "text/plain" }), { upsert: true });
out.download = await text((await alice.download(`${org}/a.txt`)).data);
await alice.update(`${org}/b.json`, JSON.stringify({ n: 2 }), { contentType: "application/json" });
out.updated = await text((await alice.download(`${org}/b.json`)).data);
const info = (await alice.info(`${org}/a.txt`)).data;
out.info = { size: info.size, contentType: info.contentType, metadata: info.metadata };
out.exists = [(await alice.exists(`${org}/a.txt`)).data, (await alice.exists(`${org}/zzz.txt`)).data];
out.list = (await alice.list(org, { limit: 10, sortBy: { column: "name", order: "desc" } })).data.map((e) => e.name);
out.search = (await alice.list(org, { search: "b" })).data.map((e) => e.name);
out.move = (await alice.move(`${org}/b.json`, `${org}/moved/b.json`)).error;
out.copy = (await alice.copy(`${org}/a.txt`, `${org}/a-copy.txt`)).data;
const signed = (await alice.createSignedUrl(`${org}/a.txt`, 60)).data.signedUrl;
out.signed = await (await fetch(signed)).text();
const many = (await alice.createSignedUrls([`${org}/a.txt`, `${org}/none.txt`], 60)).data;
out.many = many.map((m) => [m.path, m.signedUrl !== null, m.error]);
const up = (await alice.createSignedUploadUrl(`${org}/signed.txt`)).data;
out.signedUpload = (await alice.uploadToSignedUrl(`${org}/signed.txt`, up.token,
                                                   new Blob(["via token"], { type: "text/plain" }))).error;
out.signedBody = await text((await alice.download(`${org}/signed.txt`)).data);
out.publicUrl = alice.getPublicUrl(`${org}/a.txt`).data.publicUrl;
out.publicStatus = (await fetch(out.publicUrl)).status;
out.bobWire = (await bob.download(`${org}/a.txt`)).error?.status ?? null;  // the HTTP status itself
// the other tenant
out.bob = {
  download: (await bob.download(`${org}/a.txt`)).error?.statusCode ?? null,
  info: (await bob.info(`${org}/a.txt`)).error?.statusCode ?? null,
  exists: (await bob.exists(`${org}/a.txt`)).data,
  list: (await bob.list(org)).data,
  sign: (await bob.createSignedUrl(`${org}/a.txt`, 60)).error?.statusCode ?? null,
  upload: (await bob.upload(`${org}/x.txt`, new Blob(["x"], { type: "text/plain" }))).error?.statusCode ?? null,
  move: (await bob.move(`${org}/a.txt`, `${other}/a.txt`)).error?.statusCode ?? null,
  copy: (await bob.copy(`${org}/a.txt`, `${other}/a.txt`)).error?.statusCode ?? null,
  remove: (await bob.remove([`${org}/a.txt`])).data,
};
out.removed = (await alice.remove([`${org}/a.txt`, `${org}/a-copy.txt`])).data.map((r) => r.name).sort();
out.after = (await alice.list(org)).data.map((e) => e.name);
return out;
"""


def test_supabase_js_storage(world):
    world.admin.storage.create_bucket("files")
    a, b = world.org_a, world.org_b
    env = {"PW": PASSWORD, "ORG_A": a, "ORG_B": b}
    out = run_js(world.server.base, world.server.anon_key, BODY, env=env)
    assert out["blob"]["path"] == f"{a}/a.txt" and out["blob"]["fullPath"] == f"files/{a}/a.txt"
    assert out["dup"] == "409" and out["raw"] is None
    assert out["download"] == "hello, again" and out["updated"] == '{"n":2}'
    assert out["info"] == {"size": 12, "contentType": "text/plain", "metadata": None}
    assert out["exists"] == [True, False]
    assert out["list"] == ["b.json", "a.txt"] and out["search"] == ["b.json"]
    assert out["move"] is None and out["copy"] == {"path": f"files/{a}/a-copy.txt"}
    assert out["signed"] == "hello, again"
    assert out["many"] == [[f"{a}/a.txt", True, None], [f"{a}/none.txt", False, out["many"][1][2]]]
    assert out["many"][1][2]
    assert out["signedUpload"] is None and out["signedBody"] == "via token"
    assert out["publicStatus"] == 400  # the bucket is not public; Storage sends 400 with "404" in the body
    assert out["bob"] == {
        "download": "404", "info": "404", "exists": False, "list": [], "sign": "404",
        "upload": "403", "move": "404", "copy": "404", "remove": [],
    }  # fmt: skip
    assert out["bobWire"] == 400  # as Supabase's Storage server: the real status is the body's statusCode
    assert out["removed"] == [f"{a}/a-copy.txt", f"{a}/a.txt"]
    assert out["after"] == ["moved", "signed.txt"]
