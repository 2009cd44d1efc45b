//! Single sign-on with an OpenID Connect provider (docs/accounts.md,
//! "Single sign-on"), through the maintained `openidconnect` crate:
//! discovery, the authorization code flow with PKCE, `state` and `nonce`,
//! and the ID token's signature, issuer, audience, expiry and nonce checked
//! (with `oidc.clock_skew_secs` of leeway). What the flow must remember
//! between the two requests travels sealed (encrypted and authenticated
//! under the server key) in the browser's cookie, so any node can finish a
//! login another began. Accounts are found by the provider's `sub`, made
//! at the first login, and their tier and admin role follow a groups claim.

use std::collections::HashMap;
use std::time::Duration;

use openidconnect::core::{CoreClient, CoreGenderClaim, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

use crate::config::OidcConfig;
use crate::db::users::User;
use crate::library::directory::{self, sync, Outsider, Roles};
use crate::library::{Error, Library, Result};
use crate::secrets::ct_eq;

/// Marks accounts that log in through the provider.
pub const OIDC: &str = "oidc";
/// How long a login may take at the provider.
const FLOW_SECS: i64 = 600;

/// Whether single sign-on is configured.
pub fn enabled(cfg: &OidcConfig) -> bool {
    !cfg.issuer.is_empty() && !cfg.client_id.is_empty()
}

/// What the flow remembers between leaving for the provider and coming
/// back (sealed in a cookie).
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires: i64,
}

/// Claims beyond the standard ones: the groups claim is looked up by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Extra {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for Extra {}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(anyhow::anyhow!("single sign-on: {what}: {e}"))
}

fn http() -> Result<openidconnect::reqwest::Client> {
    // No redirects: a provider must not send the server elsewhere.
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| failed("HTTP client", e))
}

/// The client as discovery makes it: authorization and token endpoints
/// set, user info maybe.
type Oidc = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn client(lib: &Library, http: &openidconnect::reqwest::Client) -> Result<Oidc> {
    let cfg = &lib.cfg.oidc;
    let issuer = IssuerUrl::new(cfg.issuer.clone()).map_err(|e| failed("issuer", e))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| failed("discovery", e))?;
    let redirect =
        RedirectUrl::new(lib.url("/oidc/callback")).map_err(|e| failed("redirect", e))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(cfg.client_id.clone()),
        cfg.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// Starts a login: where to send the browser, and the sealed state for
/// its cookie.
pub async fn start(lib: &Library, next: &str) -> Result<(String, String)> {
    let http = http()?;
    let client = client(lib, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &lib.cfg.oidc.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: next.to_string(),
        expires: crate::db::now() + FLOW_SECS,
    };
    let sealed = lib
        .secrets
        .seal(&serde_json::to_string(&pending).map_err(|e| failed("state", e))?);
    Ok((url.to_string(), sealed))
}

/// Why a login coming back from the provider is refused (shown, audited).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("the login took too long or its cookie is missing: start again")]
    NoPendingLogin,
    #[error("the answer does not belong to this login (state)")]
    WrongState,
    #[error("the provider refused: {0}")]
    Provider(String),
    #[error("the provider's ID token was not accepted: {0}")]
    BadToken(String),
    #[error("no account can be made for this identity: {0}")]
    NoAccount(String),
}

/// Finishes a login: `code` and `state` from the provider's redirect,
/// `sealed` from the cookie. The account (made at the first login, brought
/// in line with its groups) and where to go next.
pub async fn finish(
    lib: &Library,
    code: &str,
    state: &str,
    sealed: Option<&str>,
) -> Result<std::result::Result<(User, String), Refused>> {
    let pending: Option<Pending> = sealed
        .and_then(|s| lib.secrets.open(s))
        .and_then(|json| serde_json::from_str(&json).ok())
        .filter(|p: &Pending| p.expires >= crate::db::now());
    let Some(pending) = pending else {
        return Ok(Err(Refused::NoPendingLogin));
    };
    if state.is_empty() || !ct_eq(state, &pending.state) {
        return Ok(Err(Refused::WrongState));
    }
    let http = http()?;
    let client = client(lib, &http).await?;
    let token = match client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| failed("token endpoint", e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&http)
        .await
    {
        Ok(t) => t,
        Err(e) => return Ok(Err(Refused::Provider(e.to_string()))),
    };
    let Some(id_token) = token.id_token() else {
        return Ok(Err(Refused::BadToken("no ID token".into())));
    };
    let skew = chrono::Duration::seconds(i64::try_from(lib.cfg.oidc.clock_skew_secs).unwrap_or(60));
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || chrono::Utc::now() - skew);
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce.clone())) {
        Ok(c) => c.clone(),
        Err(e) => return Ok(Err(Refused::BadToken(e.to_string()))),
    };
    let subject = claims.subject().to_string();
    let extra = profile(lib, &client, &http, &token, claims.subject()).await;
    let or = |a: Option<String>, b: String| a.filter(|s| !s.is_empty()).unwrap_or(b);
    let email = or(claims.email().map(|e| e.to_string()), extra.email);
    let preferred = or(
        claims.preferred_username().map(|u| u.to_string()),
        extra.preferred,
    );
    let groups = extra.groups;
    let user = match lib.db.user_by_external(OIDC, &subject).await? {
        Some(u) => u,
        None => match provision(lib, &subject, &preferred, &email).await {
            Ok(u) => u,
            Err(e @ Error::Internal(_)) => return Err(e),
            Err(e) => return Ok(Err(Refused::NoAccount(e.to_string()))),
        },
    };
    let cfg = &lib.cfg.oidc;
    let roles = Roles::from_groups([&cfg.admin_group, &cfg.pro_group, &cfg.max_group], |g| {
        groups.iter().any(|x| x == g)
    });
    let user = sync(lib, &user, &email, roles)
        .await?
        .ok_or(Error::SessionBad)?;
    Ok(Ok((user, pending.next)))
}

/// What the user info endpoint adds: many providers put only `sub` in the
/// ID token and the scopes' claims here.
#[derive(Default)]
struct Profile {
    email: String,
    preferred: String,
    groups: Vec<String>,
}

async fn profile(
    lib: &Library,
    client: &Oidc,
    http: &openidconnect::reqwest::Client,
    token: &openidconnect::core::CoreTokenResponse,
    subject: &openidconnect::SubjectIdentifier,
) -> Profile {
    let Ok(request) = client.user_info(token.access_token().clone(), Some(subject.clone())) else {
        return Profile::default();
    };
    let claims: UserInfoClaims<Extra, CoreGenderClaim> = match request.request_async(http).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on: user info");
            return Profile::default();
        }
    };
    let groups = match claims
        .additional_claims()
        .claims
        .get(&lib.cfg.oidc.groups_claim)
    {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    Profile {
        email: claims.email().map(|e| e.to_string()).unwrap_or_default(),
        preferred: claims
            .preferred_username()
            .map(|u| u.to_string())
            .unwrap_or_default(),
        groups,
    }
}

/// A user name from the provider's preferred name (or the address before
/// its `@`): letters and digits, 3 to 20, made unique with a number.
async fn free_name(lib: &Library, preferred: &str, email: &str) -> Result<String> {
    let source = if preferred.is_empty() {
        email.split('@').next().unwrap_or("")
    } else {
        preferred
    };
    let mut base: String = source
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    while base.len() < 3 {
        base.push('0');
    }
    for n in 0..1000 {
        let name = if n == 0 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        if lib.db.user_id_by_name(&name).await?.is_none() {
            return Ok(name);
        }
    }
    Err(Error::Invalid("no free user name".into()))
}

async fn provision(lib: &Library, subject: &str, preferred: &str, email: &str) -> Result<User> {
    let name = free_name(lib, preferred, email).await?;
    directory::provision(
        lib,
        &Outsider {
            source: OIDC,
            external_id: subject,
            name: &name,
            email,
            came_from: format!("from single sign-on (sub {subject})"),
        },
    )
    .await
}
