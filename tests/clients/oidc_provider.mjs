// A real OpenID provider for tests/oidc.rs: panva's oidc-provider (npm),
// with its development login and consent pages (any password is taken for
// the accounts below) and one confidential client. Usage:
//   node oidc_provider.mjs PORT REDIRECT_URI [CLOCK_OFFSET_SECS]
// Prints "ready" once it listens; `sub` is the login typed. CLOCK_OFFSET_SECS moves the provider's
// clock (the tests of clock skew).
import Provider from 'oidc-provider';

const [port, redirectUri, offset] = process.argv.slice(2);
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

provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
