"""Who may join (and send to) a private realtime channel: the rules of ``[realtime]`` in ``docbase.toml``.

Supabase writes these as RLS policies on ``realtime.messages``; docbase has no such
table, so a rule maps a topic pattern to who is admitted, in order, first match decides::

    [[realtime.channels]]
    topic = "org:{tenant}:staff"      # {tenant}: a tenant key the caller is a member of
    member_roles = ["owner", "admin"] # ...with one of these membership roles (optional)

    [[realtime.channels]]
    topic = "inbox:{user}"            # {user}: must be the caller's own user id

    [[realtime.channels]]
    topic = "announcements"
    roles = ["authenticated"]         # the token's role
    send = false                      # may join and listen, not broadcast

``*`` matches anything; a topic no rule matches is refused. A rule must name
someone ({tenant}, {user} or roles), so no rule admits everyone by accident.
After the configured rules comes docbase's default, ``{tenant}`` (a channel named
after a tenant key admits its members), switched off by ``tenant_channels = false``.
service_role is always admitted, as it bypasses RLS in Supabase. The module only
reads the configuration and matches topics; membership is asked of the database
by the caller (``docbase.api.row_reader.RowReader.is_member``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..settings import ConfigError

_PLACEHOLDER = re.compile(r"\{(tenant|user)\}|\*")
_KEYS = {"topic", "roles", "member_roles", "send"}


@dataclass(frozen=True)
class ChannelRule:
    topic: str
    roles: tuple[str, ...] = ()
    member_roles: tuple[str, ...] = ()
    send: bool = True
    default: bool = False  # docbase's own {tenant} rule, not one written in docbase.toml
    pattern: re.Pattern = field(compare=False, repr=False, default=re.compile(""))

    def match(self, topic: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(topic)
        return None if found is None else {k: v for k, v in found.groupdict().items() if v is not None}

    def describe(self) -> str:
        who = []
        if "{tenant}" in self.topic:
            who.append(
                "members of the tenant named"
                + (f" with membership role {' or '.join(self.member_roles)}" if self.member_roles else "")
            )
        if "{user}" in self.topic:
            who.append("the user named")
        if self.roles:
            who.append(f"role {' or '.join(self.roles)}")
        verbs = "join and send" if self.send else "join (not send)"
        return f'private channel "{self.topic}": {" and ".join(who)} may {verbs}'


def _compile(topic: str) -> re.Pattern:
    out, at, seen = [], 0, set()
    for m in _PLACEHOLDER.finditer(topic):
        out.append(re.escape(topic[at : m.start()]))
        name = m.group(1)
        if name is None:
            out.append(".*")
        elif name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>[^:]+)")
        at = m.end()
    out.append(re.escape(topic[at:]))
    return re.compile("".join(out))


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f'{where}: error: {key} must be a list of names, e.g. {key} = ["authenticated"]')
    return tuple(value)


def load_rules(toml: dict[str, Any] | None, where: str = "docbase.toml") -> list[ChannelRule]:
    """The private-channel rules in order, docbase's default last (unless switched off).

    Raises:
        ConfigError: a rule that is not a table, names an unknown key, has no topic, or admits no one in particular.
    """
    section = (toml or {}).get("realtime") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: error: [realtime] must be a table")
    unknown = set(section) - {"channels", "tenant_channels"}
    if unknown:
        raise ConfigError(f"{where}: error: [realtime] has no key {sorted(unknown)[0]!r} (channels, tenant_channels)")
    raw = section.get("channels") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: error: realtime.channels must be an array of tables ([[realtime.channels]])")
    rules = []
    for i, entry in enumerate(raw, 1):
        here = f"{where}: [[realtime.channels]] #{i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{here}: error: must be a table with a topic")
        extra = set(entry) - _KEYS
        if extra:
            raise ConfigError(f"{here}: error: unknown key {sorted(extra)[0]!r} (topic, roles, member_roles, send)")
        topic = entry.get("topic")
        if not isinstance(topic, str) or not topic:
            raise ConfigError(f'{here}: error: needs a topic, e.g. topic = "org:{{tenant}}"')
        roles = _strings(entry.get("roles"), "roles", here)
        member_roles = _strings(entry.get("member_roles"), "member_roles", here)
        if member_roles and "{tenant}" not in topic:
            raise ConfigError(f"{here}: error: member_roles needs {{tenant}} in the topic")
        if not roles and "{tenant}" not in topic and "{user}" not in topic:
            raise ConfigError(
                f"{here}: error: topic {topic!r} names no {{tenant}} or {{user}} and the rule has no roles: "
                'it would admit everyone; say who, e.g. roles = ["authenticated"]'
            )
        send = entry.get("send", True)
        if not isinstance(send, bool):
            raise ConfigError(f"{here}: error: send must be true or false")
        rules.append(ChannelRule(topic, roles, member_roles, send, False, _compile(topic)))
    tenant_channels = section.get("tenant_channels", True)
    if not isinstance(tenant_channels, bool):
        raise ConfigError(f"{where}: error: realtime.tenant_channels must be true or false")
    if tenant_channels:
        rules.append(ChannelRule("{tenant}", default=True, pattern=_compile("{tenant}")))
    return rules


def rule_for(rules: list[ChannelRule], topic: str) -> tuple[ChannelRule, dict[str, str]] | None:
    """The first rule whose pattern matches ``topic``, with what its placeholders captured."""
    for rule in rules:
        captured = rule.match(topic)
        if captured is not None:
            return rule, captured
    return None


def rule_lines(rules: list[ChannelRule], doc: str, tenant_line: int | None) -> list[str]:
    """One located info line per rule, for ``docbase inspect`` and ``docbase access``."""
    out = []
    for rule in rules:
        if rule.default:
            if tenant_line is None:
                continue  # no tenant: the default admits no one, nothing to say
            out.append(
                f"{doc}:{tenant_line}: info: {rule.describe()} (docbase's default; switch off in docbase.toml "
                "[realtime] tenant_channels = false)"
            )
        else:
            out.append(f"docbase.toml: info: {rule.describe()}")
    return out
