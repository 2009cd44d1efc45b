//! End-to-end encryption in the browser (docs/encryption.md, "In the
//! browser"): the vendored age-encryption bundle, the upload page's choice
//! of how to encrypt and its script, the download page's decrypting card, its service
//! worker, and `POST /upload/keys` (the age keys accounts publish). The
//! server only ever serves code and public keys here: keys and passphrases
//! stay in the browser.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;

use super::upload::{checked_user, json_data, json_error, script};
use crate::api::error::ApiError;
use crate::db::files::File;
use crate::http::html::{esc, human_size, widen_csp};
use crate::library::age_keys;
use crate::library::preview::{self, Kind};
use crate::pages::i18n::{t, t_args};
use crate::state::App;

/// age-encryption 0.3.1 (npm) and its dependencies, bundled into one
/// script defining the global `age` by scripts/vendor-age.sh (licences
/// beside it).
const AGE_JS: &str = include_str!("static/vendor/age-encryption-0.3.1.min.js");
const ENCRYPT_JS: &str = include_str!("static/encrypt.js");
const DECRYPT_JS: &str = include_str!("static/decrypt.js");
const DECRYPT_SW_JS: &str = include_str!("static/decrypt-sw.js");

/// The largest file the download page decrypts into the page for a
/// preview (a picture or text); larger ones are only saved.
const PREVIEW_BYTES: i64 = 16 << 20;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/static/age.min.js", get(|| async { script(AGE_JS) }))
        .route("/static/encrypt.js", get(|| async { script(ENCRYPT_JS) }))
        .route("/static/decrypt.js", get(|| async { script(DECRYPT_JS) }))
        // At the root so that its scope can be `/decrypt/`.
        .route("/decrypt-sw.js", get(|| async { script(DECRYPT_SW_JS) }))
        .route("/upload/keys", post(keys))
}

/// The scripts of the pages that encrypt or decrypt. They load
/// `/static/age.min.js` (144 KB) — and the upload page `/static/encrypt.js`
/// — only once encryption is asked for, so that a page stays within its
/// weight budget (docs/web.md, "Weight").
pub const UPLOAD_SCRIPTS: &[&str] = &["/static/tus.min.js", "/static/upload.js"];
pub const DECRYPT_SCRIPTS: &[&str] = &["/static/decrypt.js"];

/// The upload page's choice: not encrypted, or encrypted in the browser to
/// a new key carried in the link, to a passphrase, or (an account's page)
/// to the keys other accounts publish.
pub fn upload_choice(account: bool) -> String {
    let to_accounts = if account {
        format!(
            "<p class=\"check\"><input type=\"radio\" name=\"encrypt-with\" id=\"encrypt-users\" value=\"users\"> \
             <label for=\"encrypt-users\">{users}</label></p>\
             <div class=\"field\" id=\"encrypt-to-field\" hidden><label for=\"encrypt-to\">{to}</label>\
             <input id=\"encrypt-to\" type=\"text\" autocomplete=\"off\" aria-describedby=\"encrypt-to-hint\">\
             <span class=\"hint\" id=\"encrypt-to-hint\">{to_hint}</span></div>",
            users = esc(&t("encrypt-with-users")),
            to = esc(&t("encrypt-to")),
            to_hint = esc(&t("encrypt-to-hint")),
        )
    } else {
        String::new()
    };
    format!(
        "<div class=\"encrypt-choice\"><p class=\"check\"><input type=\"checkbox\" id=\"encrypt\" aria-describedby=\"encrypt-hint\"> \
         <label for=\"encrypt\">{encrypt}</label></p>\
         <span class=\"hint\" id=\"encrypt-hint\">{hint}</span>\
         <fieldset id=\"encrypt-options\" class=\"encrypt-options\" hidden><legend class=\"visually-hidden\">{how}</legend>\
         <p class=\"check\"><input type=\"radio\" name=\"encrypt-with\" id=\"encrypt-link\" value=\"link\" checked> \
         <label for=\"encrypt-link\">{link}</label></p>\
         <p class=\"check\"><input type=\"radio\" name=\"encrypt-with\" id=\"encrypt-pass\" value=\"passphrase\"> \
         <label for=\"encrypt-pass\">{pass}</label></p>\
         <div class=\"field\" id=\"encrypt-passphrase-field\" hidden><label for=\"encrypt-passphrase\">{passphrase}</label>\
         <input id=\"encrypt-passphrase\" type=\"password\" autocomplete=\"new-password\" aria-describedby=\"encrypt-passphrase-hint\">\
         <span class=\"hint\" id=\"encrypt-passphrase-hint\">{passphrase_hint}</span></div>\
         {to_accounts}</fieldset></div>",
        encrypt = esc(&t("encrypt-choice")),
        hint = esc(&t("encrypt-choice-hint")),
        how = esc(&t("encrypt-how")),
        link = esc(&t("encrypt-with-link")),
        pass = esc(&t("encrypt-with-passphrase")),
        passphrase = esc(&t("encrypt-passphrase")),
        passphrase_hint = esc(&t("encrypt-passphrase-hint")),
    )
}

/// The name a decrypted file is saved under: without the `.age` the
/// uploader's browser or client added.
pub fn plain_name(name: &str) -> &str {
    match name.len().checked_sub(4) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(".age") => {
            &name[..cut]
        }
        _ => name,
    }
}

/// The download page's card for an encrypted file: decrypt in the browser
/// with the link's key (`#key=…`), a passphrase or an identity, then save
/// it (streamed to disk by the service worker) or, for a small picture or
/// text, show it. `direct` is the signed URL of the ciphertext.
pub fn decrypt_card(file: &File, direct: &str) -> String {
    let name = plain_name(&file.name);
    let preview = match preview::kind(name) {
        _ if file.size > PREVIEW_BYTES => "",
        Some(Kind::Image) => "image",
        Some(Kind::Text) => "text",
        _ => "",
    };
    format!(
        "<div class=\"card\" id=\"decrypt\" data-url=\"{url}\" data-name=\"{name}\" data-size=\"{size}\" data-preview=\"{preview}\">\
         <h2>{title}</h2><p id=\"decrypt-lead\">{lead}</p>\
         <div class=\"field\" id=\"decrypt-secret-field\"><label for=\"decrypt-secret\">{secret}</label>\
         <input id=\"decrypt-secret\" type=\"password\" autocomplete=\"off\" aria-describedby=\"decrypt-secret-hint\">\
         <span class=\"hint\" id=\"decrypt-secret-hint\">{secret_hint}</span></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"button\" id=\"decrypt-save\">{save}</button>\
         <button class=\"btn btn-secondary\" type=\"button\" id=\"decrypt-preview\" hidden>{show}</button></div>\
         <progress id=\"decrypt-progress\" max=\"100\" value=\"0\" hidden aria-label=\"{progress}\"></progress>\
         <p id=\"decrypt-status\" class=\"status\" role=\"status\"></p>\
         <div id=\"decrypt-shown\" class=\"preview\"></div>{messages}</div>",
        url = esc(direct),
        name = esc(name),
        size = file.size,
        title = esc(&t("decrypt-title")),
        lead = esc(&t_args(
            "decrypt-lead",
            &[("size", human_size(file.size).into())]
        )),
        secret = esc(&t("decrypt-secret")),
        secret_hint = esc(&t("decrypt-secret-hint")),
        save = esc(&t("decrypt-save")),
        show = esc(&t("decrypt-show")),
        progress = esc(&t("decrypt-progress")),
        messages = decrypt_messages(),
    )
}

/// The words decrypt.js shows, as the page's JSON data block.
fn decrypt_messages() -> String {
    const KEYS: &[&str] = &[
        "decrypt-js-checking",
        "decrypt-js-saving",
        "decrypt-js-saved",
        "decrypt-js-wrong-key",
        "decrypt-js-need-secret",
        "decrypt-js-failed",
        "decrypt-js-in-memory",
        "decrypt-js-preview-alt",
    ];
    let map: serde_json::Map<String, serde_json::Value> = KEYS
        .iter()
        .map(|key| {
            let args = [("name", "{name}".into()), ("reason", "{reason}".into())];
            let name = key.strip_prefix("decrypt-js-").unwrap_or(key);
            (name.to_string(), t_args(key, &args).into())
        })
        .collect();
    json_data("decrypt-i18n", map)
}

/// The download page's Content-Security-Policy for an encrypted file:
/// pictures decrypted in the page are shown from `blob:` URLs.
pub fn allow_decrypted_pictures(resp: Response) -> Response {
    widen_csp(resp, |csp| {
        csp.replacen("img-src 'self'", "img-src 'self' blob:", 1)
    })
}

/// `POST /upload/keys` (fields `csrf`, `names`: user names or e-mail
/// addresses, comma-separated): `{"recipients": ["age1…", …]}`, every key
/// of every account named; refused (`missing`) naming an account without
/// keys, so that nothing is sent unencrypted by mistake. Logged-in users
/// only, like `keys.lookup`.
async fn keys(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (v, _user) = match checked_user(&app, &headers, &form).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let names: Vec<&str> = form
        .get("names")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return v.finish(json_error(
            StatusCode::BAD_REQUEST,
            0,
            &t("encrypt-to-nobody"),
        ));
    }
    let found = match age_keys::lookup(&app.db, &names).await {
        Ok(found) => found,
        Err(e) => return super::upload::api_error(&ApiError::from(e)),
    };
    if let Some((name, _)) = found.iter().find(|(_, keys)| keys.is_empty()) {
        return v.finish(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "error": t_args("encrypt-to-keyless", &[("name", name.as_str().into())]),
                    "missing": name,
                })),
            )
                .into_response(),
        );
    }
    let recipients: Vec<&str> = found
        .iter()
        .flat_map(|(_, keys)| keys.iter().map(|k| k.public_key.as_str()))
        .collect();
    v.finish(Json(json!({ "recipients": recipients })).into_response())
}
