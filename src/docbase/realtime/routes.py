"""``/realtime/v1``: the websocket (``/websocket``) and the server-side broadcast API (``/api/broadcast``).

``Realtime`` holds what every socket shares: the hub, the REST row reader the
access checks go through, the keys. The socket is authenticated before it is
accepted, like Supabase Realtime: no valid ``apikey`` (query parameter or
header) and the upgrade is refused with 403.

Private channels (``config.private``) admit service_role, and whoever the first
matching rule of ``[realtime]`` in docbase.toml names (``channel_rules``; by
default a channel named after a tenant's key admits its members); everyone else
gets Supabase's "Unauthorized" reply.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..auth.bearer import bearer_token
from .channel_rules import ChannelRule, load_rules, rule_for
from .hub import Hub
from .session import PREFIX, Session, version_of
from .tokens import Refused, claims_of


class Realtime:
    def __init__(
        self,
        schema: Any,
        url: str,
        reader: Any,
        secret: str,
        conventions: Any,
        db: Any,
        *,
        poll_ms: int = 50,
        retention_s: int = 600,
        max_channels: int = 100,
        max_message_bytes: int = 1_000_000,
        channel_rules: list[ChannelRule] | None = None,
        users: Any = None,
    ) -> None:
        self.users = users  # docbase.auth.third_party_users, shared with /rest/v1
        self.channel_rules = channel_rules if channel_rules is not None else load_rules(None)
        self.reader = reader
        self.secret, self.conventions, self.db = secret, conventions, db
        self.hub = Hub(schema, url, reader, poll_ms, retention_s)
        self.tables = {t.name for t in schema.tables}
        self.max_channels = max_channels
        self.max_message_bytes = max_message_bytes
        self._columns = {t.name: {c.name for c in t.columns} for t in schema.tables}

    def readable_columns(self, table: str, claims: dict[str, Any]) -> set[str]:
        hidden = self.reader.rest.gate.hidden(table, str(claims.get("role")))
        return self._columns.get(table, set()) - set(hidden)

    async def private_access(self, topic: str, claims: dict[str, Any]) -> str | None:
        """What ``claims`` may do on the private channel ``topic``: "send" (join and broadcast), "join", or None."""
        if claims.get("role") == "service_role":
            return "send"
        found = rule_for(self.channel_rules, topic)
        if found is None:
            return None
        rule, captured = found
        if rule.roles and claims.get("role") not in rule.roles:
            return None
        if "user" in captured and (claims.get("role") != "authenticated" or str(claims.get("sub")) != captured["user"]):
            return None
        if "tenant" in captured and not await self.reader.is_member(captured["tenant"], claims, rule.member_roles):
            return None
        return "send" if rule.send else "join"

    async def may_join_private(self, topic: str, claims: dict[str, Any]) -> bool:
        return await self.private_access(topic, claims) is not None

    async def may_send_private(self, topic: str, claims: dict[str, Any]) -> bool:
        return await self.private_access(topic, claims) == "send"

    async def websocket(self, ws: WebSocket) -> None:
        vsn = version_of(ws)
        token = ws.query_params.get("apikey") or ws.headers.get("apikey")
        try:
            claims = await claims_of(token, self.secret, self.conventions, self.db, self.users)
        except Refused:
            await ws.close(1008)
            return
        if vsn is None:
            await ws.close(1008)
            return
        offered = ws.scope.get("subprotocols") or []
        await ws.accept(subprotocol="phoenix" if "phoenix" in offered else None)
        await Session(ws, self, vsn, claims, token or "").run()

    async def _caller(self, request: Request) -> dict[str, Any]:
        apikey = request.headers.get("apikey") or request.query_params.get("apikey")
        token = bearer_token(request.headers.get("authorization")) or apikey
        return await claims_of(token, self.secret, self.conventions, self.db, self.users)

    async def broadcast_api(self, request: Request) -> Response:
        """Supabase's ``POST /api/broadcast``: ``{"messages": [{"topic", "event", "payload", "private"}]}``."""
        try:
            claims = await self._caller(request)
        except Refused as exc:
            return _error(401, str(exc))
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "body must be JSON")
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not messages:
            return _error(400, 'body must be {"messages": [{"topic", "event", "payload"}]}')
        if len(messages) > self.max_channels:
            return _error(400, f"at most {self.max_channels} messages per request")
        checked = []
        for m in messages:
            if not isinstance(m, dict) or not isinstance(m.get("topic"), str) or not isinstance(m.get("event"), str):
                return _error(400, "each message needs a topic and an event")
            private = bool(m.get("private"))
            if private and not await self.may_send_private(m["topic"], claims):
                return _error(
                    403, f"Unauthorized: You do not have permissions to write to this Channel topic: {m['topic']}"
                )
            checked.append((m["topic"], private, m["event"], m.get("payload", {})))
        for topic, private, event, payload in checked:
            await self.hub.broadcast(PREFIX + topic, private, event, payload, None)
        return Response(status_code=202)

    async def broadcast_one(self, request: Request) -> Response:
        """``POST /api/broadcast/{topic}/events/{event}`` (supabase-js ``channel.httpSend``): the body is the payload."""
        try:
            claims = await self._caller(request)
        except Refused as exc:
            return _error(401, str(exc))
        topic, event = request.path_params["topic"], request.path_params["event"]
        raw = await request.body()
        binary = None
        if request.headers.get("content-type", "").startswith("application/octet-stream"):
            payload: Any = None
            binary = raw
        else:
            try:
                payload = orjson.loads(raw) if raw else {}
            except orjson.JSONDecodeError:
                return _error(400, "body must be JSON")
        private = request.query_params.get("private") == "true"
        if private and not await self.may_send_private(topic, claims):
            return _error(403, f"Unauthorized: You do not have permissions to write to this Channel topic: {topic}")
        await self.hub.broadcast(PREFIX + topic, private, event, payload, None, binary)
        return Response(status_code=202)

    def routes(self) -> list[BaseRoute]:
        return [
            WebSocketRoute("/realtime/v1/websocket", self.websocket),
            Route("/realtime/v1/api/broadcast", self.broadcast_api, methods=["POST"]),
            Route("/realtime/v1/api/broadcast/{topic:str}/events/{event:str}", self.broadcast_one, methods=["POST"]),
        ]


def _error(status: int, message: str) -> Response:
    return Response(orjson.dumps({"message": message}), status, media_type="application/json")
