// A real OpenID provider for tests/oidc.rs: panva's oidc-provider (npm),
// with its development login and consent pages (any password is taken for
// the accounts below) and one confidential client. Usage:
//   node oidc_provider.mjs PORT REDIRECT_URI [CLOCK_OFFSET_SECS] [forge-claims]
// Prints "ready" once it listens; `sub` is the login typed. CLOCK_OFFSET_SECS moves the provider's
// clock (the tests of clock skew). `forge-claims` changes the ID token on its way out, as someone
// between the provider and dropspace would: `sub` becomes alice (an admin), the provider's
// signature stays — and no longer matches.
import Provider from 'oidc-provider';

const [port, redirectUri, offset, mode] = process.argv.slice(2);
if (offset) {
  const shift = Number(offset) * 1000;
  const realNow = Date.now;
  Date.now = () => realNow() + shift;
}

const accounts = {
  alice: { email: 'alice@sso.example', preferred_username: 'alice', groups: ['staff', 'dropspace-admins'] },
  bob: { email: 'bob@sso.example', preferred_username: 'bob.builder', groups: ['staff', 'dropspace-pro'] },
  carol: { email: 'carol@sso.example', preferred_username: 'carol', groups: [] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'dropspace',
    client_secret: 'dropspace-client-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['dropspace-test-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, ...(accounts[id] ?? {}) };
      },
    };
  },
});

if (mode === 'forge-claims') {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path.endsWith('/token') && ctx.body?.id_token) {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      claims.sub = 'alice';
      const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
      ctx.body = { ...ctx.body, id_token: [header, forged, signature].join('.') };
    }
  });
}

provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
