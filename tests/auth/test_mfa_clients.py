"""``supabase.auth.mfa`` with the official clients (supabase-py, supabase-js) against a live docbase, both databases.

The live server runs on the wall clock, so codes are computed when they are
typed: by pyotp in Python, and by node's own HMAC in JavaScript (RFC 6238
written out in the test, independent of docbase's implementation).
"""

from __future__ import annotations

import pyotp
import pytest

from docbase.auth import AuthConfig, keys

from ..clients.js import run_js
from .conftest import DOCUMENT
from .test_supabase_client import SECRET, _serve

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path, db_url):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    yield from _serve(doc, db_url, AuthConfig(bcrypt_cost=4, site_url="https://app.example.com"))


def test_python_client_enrolls_verifies_and_unenrolls(live):
    from supabase_auth.errors import AuthApiError

    client, _ = live
    client.auth.sign_up({"email": "ada@example.com", "password": "correct horse", "options": {"data": {"name": "A"}}})
    mfa = client.auth.mfa
    level = mfa.get_authenticator_assurance_level()
    assert (level.current_level, level.next_level) == ("aal1", "aal1")
    enrolled = mfa.enroll({"factor_type": "totp", "friendly_name": "phone"})
    assert enrolled.totp.qr_code.startswith("data:image/svg+xml;utf-8,<svg")
    assert "issuer=app.example.com" in enrolled.totp.uri
    code = pyotp.TOTP(enrolled.totp.secret).now()
    verified = mfa.challenge_and_verify({"factor_id": enrolled.id, "code": code})
    assert verified.access_token
    level = mfa.get_authenticator_assurance_level()
    assert (level.current_level, level.next_level) == ("aal2", "aal2")
    assert [m.method for m in level.current_authentication_methods][0] == "totp"
    assert [f.id for f in mfa.list_factors().totp] == [enrolled.id]
    client.auth.refresh_session()
    assert mfa.get_authenticator_assurance_level().current_level == "aal2"
    with pytest.raises(AuthApiError) as replay:
        mfa.challenge_and_verify({"factor_id": enrolled.id, "code": code})
    assert (replay.value.status, replay.value.code) == (422, "mfa_verification_failed")

    client.auth.sign_in_with_password({"email": "ada@example.com", "password": "correct horse"})
    level = mfa.get_authenticator_assurance_level()
    assert (level.current_level, level.next_level) == ("aal1", "aal2")  # the app must now ask for the code
    with pytest.raises(AuthApiError) as weak:
        mfa.unenroll({"factor_id": enrolled.id})
    assert (weak.value.status, weak.value.code) == (403, "insufficient_aal")


JS_TOTP = """
const { createHmac } = await import("node:crypto");
const totp = (b32, at) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of b32.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
};
"""


def test_js_client_enrolls_verifies_and_unenrolls(live):
    client, _ = live
    base = str(client.supabase_url).rstrip("/")
    result = run_js(
        base,
        keys.anon_key(SECRET),
        JS_TOTP
        + """
        await supabase.auth.signUp({ email: "bob@example.com", password: "correct horse" });
        const before = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
        const { data: factor, error: e1 } = await supabase.auth.mfa.enroll({ factorType: "totp", friendlyName: "k" });
        if (e1) throw e1;
        const code = totp(factor.totp.secret, Date.now() / 1000);
        const { error: e2 } = await supabase.auth.mfa.challengeAndVerify({ factorId: factor.id, code });
        if (e2) throw e2;
        const after = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
        const replay = await supabase.auth.mfa.challengeAndVerify({ factorId: factor.id, code });
        await supabase.auth.refreshSession();
        const refreshed = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
        const listed = await supabase.auth.mfa.listFactors();
        const gone = await supabase.auth.mfa.unenroll({ factorId: factor.id });
        await supabase.auth.refreshSession();
        const lowered = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
        return {
          qr: factor.totp.qr_code.slice(0, 30),
          before: [before.data.currentLevel, before.data.nextLevel],
          after: [after.data.currentLevel, after.data.nextLevel, after.data.currentAuthenticationMethods[0].method],
          replay: replay.error && [replay.error.status, replay.error.code],
          refreshed: refreshed.data.currentLevel,
          listed: listed.data.totp.map((f) => f.id),
          gone: gone.error ? gone.error.code : gone.data.id,
          lowered: [lowered.data.currentLevel, lowered.data.nextLevel],
          factorId: factor.id,
        };
        """,
    )
    assert result["qr"] == "data:image/svg+xml;utf-8,<svg "
    assert result["before"] == ["aal1", "aal1"]
    assert result["after"] == ["aal2", "aal2", "totp"]
    assert result["replay"] == [422, "mfa_verification_failed"]
    assert result["refreshed"] == "aal2"
    assert result["listed"] == [result["factorId"]]
    assert result["gone"] == result["factorId"]
    assert result["lowered"] == ["aal1", "aal1"]
