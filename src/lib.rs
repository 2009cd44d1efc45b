//! dropspace: a self-hosted file-sharing server that speaks the sendspace
//! REST API. See `docs/architecture.md` for the map of modules.

pub mod abuse;
pub mod api;
pub mod background;
pub mod blobs;
pub mod clamd;
pub mod cli;
pub mod client_cli;
pub mod config;
pub mod db;
pub mod file_send;
pub mod http;
pub mod library;
pub mod mail;
pub mod ops;
pub mod pages;
pub mod secrets;
pub mod server;
pub mod state;
pub mod transfer;
