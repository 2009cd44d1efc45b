//! HTTP plumbing every front end (`api`, `file_send`, `pages`, `transfer`)
//! shares: the client's address, request parameters, the page frame and the
//! request pipeline. Nothing below the front ends uses it.

pub mod html;
pub mod i18n;
pub mod params;
pub mod pipeline;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::config::Config;
use crate::state::App;

/// The client address: the socket peer, or, when the operator says trusted
/// proxies set `X-Forwarded-For`, the address the outermost trusted proxy
/// appended: the `trusted_proxies`-th entry from the right. Entries further
/// left come from the client and prove nothing (docs/deployment.md).
pub fn client_ip(cfg: &Config, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if cfg.trust_forwarded_for {
        if let Some(ip) = forwarded_for(headers, cfg.trusted_proxies) {
            return ip;
        }
    }
    peer.ip()
}

/// The `hops`-th address from the right of every `X-Forwarded-For` line
/// read as one list (0 is taken as 1); `None` when the header is absent,
/// too short or that entry is no address.
pub fn forwarded_for(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        entries.extend(value.to_str().ok()?.split(','));
    }
    let entry = entries.iter().rev().nth(hops.max(1) - 1)?.trim();
    parse_hop(entry)
}

/// An address as proxies write it: `1.2.3.4`, `2001:db8::1`, or with a
/// port (`1.2.3.4:5678`, `[2001:db8::1]:5678`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(lines: &[&str], hops: usize) -> Option<IpAddr> {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", l.parse().unwrap());
        }
        forwarded_for(&h, hops)
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_proxy_appended_entry_counts_not_the_clients() {
        assert_eq!(xff(&["203.0.113.7"], 1), ip("203.0.113.7"));
        // The client sent "1.1.1.1, 10.0.0.1"; the proxy appended its peer.
        assert_eq!(
            xff(&["1.1.1.1, 10.0.0.1, 203.0.113.7"], 1),
            ip("203.0.113.7")
        );
        assert_eq!(xff(&["1.1.1.1,203.0.113.7"], 0), ip("203.0.113.7"));
        // Two proxies: the outer appended the client, the inner the outer.
        assert_eq!(
            xff(&["6.6.6.6, 203.0.113.7, 10.0.0.2"], 2),
            ip("203.0.113.7")
        );
        // Several header lines are one list, in order.
        assert_eq!(xff(&["6.6.6.6", "203.0.113.7"], 1), ip("203.0.113.7"));
        assert_eq!(xff(&["6.6.6.6, 2001:db8::1"], 1), ip("2001:db8::1"));
        assert_eq!(xff(&["[2001:db8::1]:443"], 1), ip("2001:db8::1"));
        assert_eq!(xff(&["[2001:db8::1]"], 1), ip("2001:db8::1"));
        assert_eq!(xff(&["203.0.113.7:5678"], 1), ip("203.0.113.7"));
    }

    #[test]
    fn garbled_or_short_headers_give_no_address() {
        assert_eq!(xff(&[], 1), None);
        assert_eq!(xff(&[""], 1), None);
        assert_eq!(xff(&["1.2.3.4, not an address"], 1), None);
        assert_eq!(xff(&["1.2.3.4, "], 1), None);
        assert_eq!(xff(&["203.0.113.7"], 2), None);
        assert_eq!(xff(&["unknown"], 1), None);
    }

    #[test]
    fn client_ip_falls_back_to_the_peer() {
        let peer: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        let mut cfg = Config::default();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        assert_eq!(client_ip(&cfg, &h, peer), peer.ip());
        cfg.trust_forwarded_for = true;
        assert_eq!(client_ip(&cfg, &h, peer).to_string(), "203.0.113.7");
        h.insert("x-forwarded-for", "6.6.6.6, garbage".parse().unwrap());
        assert_eq!(client_ip(&cfg, &h, peer), peer.ip());
        h.clear();
        assert_eq!(client_ip(&cfg, &h, peer), peer.ip());
    }
}
