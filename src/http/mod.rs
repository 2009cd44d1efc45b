//! HTTP plumbing every front end (`api`, `file_send`, `pages`, `transfer`)
//! shares: the client's address, request parameters, the page frame and the
//! request pipeline. Nothing below the front ends uses it.

pub mod html;
pub mod params;
pub mod pipeline;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::config::Config;
use crate::state::App;

/// The client address: the socket peer, or `X-Forwarded-For`'s first hop
/// when the operator says a trusted proxy sets it.
pub fn client_ip(cfg: &Config, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if cfg.trust_forwarded_for {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return ip;
        }
    }
    peer.ip()
}

/// Extractor of the client address (`client_ip`) for handlers.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        Ok(ClientIp(client_ip(&app.cfg, &parts.headers, peer)))
    }
}
