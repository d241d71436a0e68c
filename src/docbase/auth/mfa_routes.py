"""``/auth/v1/factors``: the MFA endpoints ``supabase.auth.mfa`` calls (enroll, challenge, verify, unenroll).

Parsing and shaping only; :mod:`.mfa` does the work.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import mfa
from .service import AuthService
from .web import claims_of, client_ip, endpoint, read_json


@endpoint()
async def enroll(request: Request, auth: AuthService) -> Response:
    claims = claims_of(request, auth)
    body = await read_json(request)
    result = await mfa.enroll(auth, claims, body.get("factor_type"), body.get("friendly_name"), body.get("issuer"))
    return JSONResponse(result)


@endpoint()
async def challenge(request: Request, auth: AuthService) -> Response:
    claims = claims_of(request, auth)
    await read_json(request)  # supabase-py sends {"channel": null}; a body that is not JSON is still refused
    result = await mfa.challenge(auth, claims, request.path_params["factor_id"], client_ip(request, auth.config))
    return JSONResponse(result)


@endpoint()
async def verify(request: Request, auth: AuthService) -> Response:
    claims = claims_of(request, auth)
    body = await read_json(request)
    result = await mfa.verify(
        auth,
        claims,
        request.path_params["factor_id"],
        body.get("challenge_id"),
        body.get("code"),
        client_ip(request, auth.config),
    )
    return JSONResponse(result)


@endpoint()
async def unenroll(request: Request, auth: AuthService) -> Response:
    claims = claims_of(request, auth)
    return JSONResponse(await mfa.unenroll(auth, claims, request.path_params["factor_id"]))


ROUTES: list[BaseRoute] = [
    Route("/factors", enroll, methods=["POST"]),
    Route("/factors/{factor_id}/challenge", challenge, methods=["POST"]),
    Route("/factors/{factor_id}/verify", verify, methods=["POST"]),
    Route("/factors/{factor_id}", unenroll, methods=["DELETE"]),
]
