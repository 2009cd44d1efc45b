//! Pages a person opens in a browser. Every user value is escaped and every
//! page carries a strict Content-Security-Policy (the frame is `http::html`).

pub mod activate;
pub mod admin;
pub mod bundle;
pub mod delete;
pub mod download;
pub mod encryption;
pub mod extend;
pub mod folder;
pub mod i18n;
pub mod my_files;
pub mod oidc;
pub mod preview;
pub mod request;
pub mod rss;
pub mod shell;
pub mod signup;
pub mod two_factor;
pub mod upload;
pub mod web;
