// A real OpenID Connect provider for the OAuth tests: the certified `oidc-provider` package (pinned in
// package.json), with its built-in login and consent pages (any login name; the password is not checked).
// Configured from the environment; prints "ready <issuer>" once listening. Not a fake: discovery, the
// authorization code flow, id_token signing, nonce and client authentication are the library's own.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);

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
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ["docbase-test-cookie-key-0123456789"] },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => process.stdout.write(`ready ${issuer}\n`));
