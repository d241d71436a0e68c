"""Resumable uploads with tus-js-client (the TUS client Supabase's docs use) against a live server, both databases.

A 3 MB upload in 1 MB chunks is interrupted after its first chunk and resumed from the
upload URL (HEAD, then PATCH from the kept offset); the object appears only when the
last byte is in. The other tenant's member can neither continue that upload nor start
one in the first tenant's folder, and an upload longer than the bucket's limit is
refused when it is created.
"""

from __future__ import annotations

import pytest

from ..clients.js import run_js
from .conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

BODY = """
const tus = await import("tus-js-client");
const opts = { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket } };
const token = async (name) => {
  const c = createClient(url, key, opts);
  const { data, error } = await c.auth.signInWithPassword({ email: `${name}@example.com`, password: process.env.PW });
  if (error) throw error;
  return [c.storage.from("big"), data.session.access_token];
};
const [alice, aliceToken] = await token("alice");
const [, bobToken] = await token("bob");
const org = process.env.ORG_A;
const endpoint = `${url}/storage/v1/upload/resumable`;
const headers = (t) => ({ authorization: `Bearer ${t}`, apikey: key });
const data = Buffer.alloc(3 * 1024 * 1024, 7);
data.write("start", 0);
const meta = (name) => ({ bucketName: "big", objectName: name, contentType: "application/octet-stream",
                          cacheControl: "3600", metadata: JSON.stringify({ part: "of a test" }) });
const run = (options) => new Promise((resolve) => {
  const upload = new tus.Upload(data, { chunkSize: 1024 * 1024, retryDelays: [], ...options,
    onSuccess: () => resolve({ ok: true, url: upload.url }),
    onError: (e) => resolve({ ok: false, status: e.originalResponse ? e.originalResponse.getStatus() : null,
                              url: upload.url }),
    onChunkComplete: (size, sent) => { if (options.stopAt && sent >= options.stopAt) { upload.abort();
                                         resolve({ ok: false, url: upload.url, sent }); } },
  });
  upload.start();
});
const out = {};
const first = await run({ endpoint, headers: headers(aliceToken), metadata: meta(`${org}/big.bin`), stopAt: 1 });
out.first = first.sent;
out.beforeDone = (await alice.exists(`${org}/big.bin`)).data;
const head = await fetch(first.url, { method: "HEAD", headers: { ...headers(aliceToken), "tus-resumable": "1.0.0" } });
out.offset = head.headers.get("upload-offset");
const bobHead = await fetch(first.url, { method: "HEAD", headers: { ...headers(bobToken), "tus-resumable": "1.0.0" } });
out.bobHead = bobHead.status;
const bobPatch = await fetch(first.url, { method: "PATCH", body: "x", headers: { ...headers(bobToken),
  "tus-resumable": "1.0.0", "upload-offset": out.offset, "content-type": "application/offset+octet-stream" } });
out.bobPatch = bobPatch.status;
const resumed = await run({ uploadUrl: first.url, headers: headers(aliceToken), metadata: meta(`${org}/big.bin`) });
out.resumed = resumed.ok;
const blob = (await alice.download(`${org}/big.bin`)).data;
const got = Buffer.from(await blob.arrayBuffer());
out.same = got.equals(data);
out.info = (await alice.info(`${org}/big.bin`)).data;
const bobNew = await run({ endpoint, headers: headers(bobToken), metadata: meta(`${org}/evil.bin`) });
out.bobNew = bobNew.status;
const tooBig = await run({ endpoint, headers: headers(aliceToken), metadata: meta(`${org}/huge.bin`),
                           uploadSize: 10 * 1024 * 1024 });
out.tooBig = tooBig.status;
const again = await run({ endpoint, headers: headers(aliceToken), metadata: meta(`${org}/big.bin`) });
out.again = again.status;
return out;
"""


def resumable_upload_calls(world) -> None:
    """tus-js-client against ``world``'s server: interrupted, resumed, refused where it must be."""
    world.admin.storage.create_bucket("big", options={"file_size_limit": 5 * 1024 * 1024})
    env = {"PW": PASSWORD, "ORG_A": world.org_a}
    out = run_js(world.server.base, world.server.anon_key, BODY, env=env, timeout=120)
    assert out["first"] == 1024 * 1024 and out["beforeDone"] is False
    assert out["offset"] == str(1024 * 1024)
    assert (out["bobHead"], out["bobPatch"]) == (404, 404)
    assert out["resumed"] is True and out["same"] is True
    assert out["info"]["size"] == 3 * 1024 * 1024 and out["info"]["metadata"] == {"part": "of a test"}
    assert out["bobNew"] == 403
    assert out["tooBig"] == 413
    assert out["again"] == 409  # the name is taken and x-upsert was not sent


def test_resumable_upload_with_tus_js_client(world):
    resumable_upload_calls(world)
    uploads = world.server.tmp / ".docbase" / "storage" / "uploads"
    assert [p for p in uploads.iterdir()] == []  # finished uploads leave nothing behind
