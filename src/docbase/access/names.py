"""Reading intent from identifiers: ``createdByUserId`` and ``created_by_user_id`` say the same.

Access decisions lean on column and table names (``user_id``, ``owner_id``,
``refresh_tokens``), so names are split into lower-case singular words by
``schema.names`` (the one naming module) and compared as words, never raw spellings.
"""

from __future__ import annotations

from ..schema.names import singular_words as words

# Columns that name the user who made or owns a row; they default to the signed-in user.
CREATOR_WORDS = frozenset({"owner", "creator", "created", "author", "inviter", "invited"})
# Column words that make a reference to users the row's single owner, best first.
OWNER_PREFERENCE = (("user",), ("owner",), ("created",), ("creator",), ("author",))


def is_user_column_name(name: str) -> bool:
    """``user_id``/``userId``/``owner_id``: a column that holds a user's id by its name alone."""
    w = words(name)
    return len(w) == 2 and w[0] in ("user", "owner") and w[1] == "id"


def owner_rank(column: str) -> int:
    """Lower is a better single-owner column: ``user_id`` before ``owner_id`` before ``created_by``."""
    w = words(column)
    for rank, wanted in enumerate(OWNER_PREFERENCE):
        if w[: len(wanted)] == wanted and (len(w) <= 2 or w[-1] in ("id", "by", "user")):
            return rank
    if CREATOR_WORDS & set(w):
        return len(OWNER_PREFERENCE)
    return len(OWNER_PREFERENCE) + 1
