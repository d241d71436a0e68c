from __future__ import annotations

from docbase.access.names import owner_rank, words


def test_camel_and_snake_split_alike():
    assert words("createdByUserId") == words("created_by_user_id") == ("created", "by", "user", "id")
    assert words("public.refresh_tokens") == ("refresh", "token")
    assert words("policies") == ("policy",)


def test_user_id_outranks_creator_columns():
    assert sorted(["created_by", "owner_id", "user_id", "invitee_id"], key=owner_rank)[:3] == [
        "user_id",
        "owner_id",
        "created_by",
    ]
