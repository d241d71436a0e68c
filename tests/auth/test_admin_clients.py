"""``supabase.auth.admin`` with the official clients (supabase-py, supabase-js) against a live docbase, both databases."""

from __future__ import annotations

import re

import pytest

from docbase.auth import AuthConfig, keys

from ..clients.js import run_js
from .conftest import DOCUMENT
from .test_supabase_client import SECRET, _serve, mail_number

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path, db_url):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    yield from _serve(doc, db_url, AuthConfig(bcrypt_cost=4, anonymous_sign_ins=True))


def test_python_admin_client(live):
    from supabase import create_client
    from supabase_auth.errors import AuthApiError

    anon_client, _ = live
    base = str(anon_client.supabase_url).rstrip("/")
    admin = create_client(base, keys.service_key(SECRET)).auth.admin
    made = admin.create_user(
        {
            "email": "ada@example.com",
            "password": "correct horse",
            "email_confirm": True,
            "user_metadata": {"name": "Ada"},
        }
    ).user
    assert made.email == "ada@example.com" and made.email_confirmed_at is not None
    assert made.user_metadata == {"name": "Ada"}
    for n in range(3):
        admin.create_user({"email": f"u{n}@example.com"})
    assert len(admin.list_users(page=1, per_page=2)) == 2
    everyone = admin.list_users()
    assert sorted(u.email for u in everyone) == [
        "ada@example.com",
        "u0@example.com",
        "u1@example.com",
        "u2@example.com",
    ]
    assert len(admin.list_users(page=2, per_page=3)) == 1
    assert admin.get_user_by_id(made.id).user.id == made.id
    changed = admin.update_user_by_id(made.id, {"app_metadata": {"plan": "pro"}, "ban_duration": "2h"}).user
    assert changed.app_metadata["plan"] == "pro" and changed.banned_until is not None
    with pytest.raises(AuthApiError) as banned:
        anon_client.auth.sign_in_with_password({"email": "ada@example.com", "password": "correct horse"})
    assert (banned.value.status, banned.value.code) == (400, "user_banned")
    admin.update_user_by_id(made.id, {"ban_duration": "none"})
    assert anon_client.auth.sign_in_with_password({"email": "ada@example.com", "password": "correct horse"}).session

    link = admin.generate_link({"type": "magiclink", "email": "u0@example.com"})
    assert link.properties.verification_type == "magiclink" and len(link.properties.email_otp) == 6
    session = anon_client.auth.verify_otp(
        {"email": "u0@example.com", "token": link.properties.email_otp, "type": "magiclink"}
    )
    assert session.user.email == "u0@example.com" and session.session.access_token
    with pytest.raises(AuthApiError) as reused:
        anon_client.auth.verify_otp(
            {"email": "u0@example.com", "token": link.properties.email_otp, "type": "magiclink"}
        )
    assert (reused.value.status, reused.value.code) == (403, "otp_expired")

    invited = admin.invite_user_by_email("guest@example.com", {"data": {"name": "Guest"}}).user
    assert invited.invited_at is not None and invited.user_metadata == {"name": "Guest"}

    admin.delete_user(made.id)
    with pytest.raises(AuthApiError) as gone:
        admin.get_user_by_id(made.id)
    assert (gone.value.status, gone.value.code) == (404, "user_not_found")
    admin.delete_user(invited.id, should_soft_delete=True)
    assert admin.get_user_by_id(invited.id).user.deleted_at is not None

    # the anon key and a signed-in user are refused as GoTrue refuses them
    from supabase_auth import SyncGoTrueAdminAPI

    for key in (keys.anon_key(SECRET), anon_client.auth.get_session().access_token):
        headers = {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {key}"}
        with pytest.raises(AuthApiError) as refused:
            SyncGoTrueAdminAPI(url=f"{base}/auth/v1", headers=headers).list_users()
        assert (refused.value.status, refused.value.code) == (403, "not_admin")


def test_js_admin_list_users(live):
    anon_client, _ = live
    base = str(anon_client.supabase_url).rstrip("/")
    service = keys.service_key(SECRET)
    out = run_js(
        base,
        service,
        """
        for (const n of [0, 1, 2]) {
          const { error } = await supabase.auth.admin.createUser({ email: `js${n}@example.com`, email_confirm: true })
          if (error) return { error: error.message }
        }
        const page = await supabase.auth.admin.listUsers({ page: 1, perPage: 2 })
        const all = await supabase.auth.admin.listUsers()
        const anon = createClient(url, process.env.ANON, { auth: { persistSession: false }, realtime: { transport: WebSocket } })
        const refused = await anon.auth.admin.listUsers()
        return {
          page: page.data.users.length, total: page.data.total, next: page.data.nextPage, last: page.data.lastPage,
          emails: all.data.users.map((u) => u.email).sort(),
          refused: [refused.error.status, refused.error.code],
        }
        """,
        env={"ANON": keys.anon_key(SECRET)},
    )
    assert out == {
        "page": 2,
        "total": 3,
        "next": 2,
        "last": 2,
        "emails": ["js0@example.com", "js1@example.com", "js2@example.com"],
        "refused": [403, "not_admin"],
    }
    # a browser may read the pagination headers (CORS exposes them)
    import httpx

    seen = httpx.get(
        f"{base}/auth/v1/admin/users",
        headers={"apikey": service, "Authorization": f"Bearer {service}", "Origin": "https://app.example.com"},
    )
    exposed = {h.strip().lower() for h in seen.headers["access-control-expose-headers"].split(",")}
    assert {"x-total-count", "link"} <= exposed and seen.headers["x-total-count"] == "3"


def test_python_client_passwordless_and_anonymous(live):
    from supabase_auth.errors import AuthApiError

    client, url = live
    client.auth.sign_in_with_otp({"email": "otp@example.com", "options": {"data": {"name": "Otto"}}})
    mail = mail_number(url, 1)  # waits: mail is sent after the answer
    assert (mail["recipient"], mail["kind"]) == ("otp@example.com", "magiclink")
    code = re.search(r"code: (\d{6})", mail["body"]).group(1)
    signed = client.auth.verify_otp({"email": "otp@example.com", "token": code, "type": "email"})
    assert signed.session and signed.user.user_metadata == {"name": "Otto"} and signed.user.email_confirmed_at
    with pytest.raises(AuthApiError) as reused:
        client.auth.verify_otp({"email": "otp@example.com", "token": code, "type": "email"})
    assert (reused.value.status, reused.value.code) == (403, "otp_expired")
    with pytest.raises(AuthApiError) as unknown:
        client.auth.sign_in_with_otp({"email": "nobody@example.com", "options": {"should_create_user": False}})
    assert (unknown.value.status, unknown.value.code) == (422, "otp_disabled")
    client.auth.sign_out()

    anonymous = client.auth.sign_in_anonymously()
    assert anonymous.user.is_anonymous and anonymous.session.access_token
    linked = client.auth.update_user({"email": "linked@example.com"}).user
    assert (linked.email, linked.is_anonymous) == ("linked@example.com", False)


def test_js_sign_in_anonymously(live):
    anon_client, _ = live
    out = run_js(
        str(anon_client.supabase_url).rstrip("/"),
        keys.anon_key(SECRET),
        """
        const { data, error } = await supabase.auth.signInAnonymously({ options: { data: { name: "Anon" } } })
        if (error) return { error: [error.status, error.code] }
        const claims = JSON.parse(Buffer.from(data.session.access_token.split(".")[1], "base64url").toString())
        return { anonymous: data.user.is_anonymous, claim: claims.is_anonymous, name: data.user.user_metadata.name }
        """,
    )
    assert out == {"anonymous": True, "claim": True, "name": "Anon"}
