// A real OpenID Connect provider for the OAuth tests: the certified `oidc-provider` package (pinned in
// package.json), with its built-in login and consent pages (any login name; the password is not checked).
// Configured from the environment; prints "ready <issuer>" once listening. Not a fake: discovery, the
// authorization code flow, id_token signing, nonce and client authentication are the library's own.
// An authorization request naming a `resource` (RFC 8707) gets a JWT access token for that API, as Auth0
// issues for an API audience and Clerk for its session: signed with the provider's keys, `aud` the resource,
// `role: "authenticated"` and `email` added as Supabase's Auth0/Clerk guides have one add them. OIDC_ACCESS_TOKEN_TTLS
// (JSON, client_id -> seconds) shortens a client's access token lifetime (default one hour).
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const ttls = JSON.parse(process.env.OIDC_ACCESS_TOKEN_TTLS || "{}");

const provider = new Provider(issuer, {
  clients,
  scopes: ["openid", "email", "profile", "offline_access"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "picture"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.com`, email_verified: true, name: `User ${id}`, picture: `${issuer}/${id}.png` };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: "api",
        audience: resource,
        accessTokenFormat: "jwt",
        accessTokenTTL: ttls[client.clientId] ?? 3600,
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
  extraTokenClaims: (ctx, token) =>
    token.kind === "AccessToken" && token.aud ? { role: "authenticated", email: `${token.accountId}@example.com` } : undefined,
  pkce: { required: () => false },
  cookies: { keys: ["docbase-test-cookie-key-0123456789"] },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => process.stdout.write(`ready ${issuer}\n`));
