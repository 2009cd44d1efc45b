//! Request parameters of `/rest/` and `/api/`: the query string merged with
//! a POST body (urlencoded or multipart); the body wins on a clash, and
//! within one source the last value wins. Absence is `Error::Missing`, a bad
//! value `Error::BadValue`, an unreadable body `Error::Invalid`. The parsing
//! itself is in `dropspace-proto` (fuzzed there).

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderMap};
use futures::StreamExt;

use crate::library::{Error, Result};
use dropspace_proto::params::{self as proto, parse_urlencoded};

pub use dropspace_proto::params::comma_list;

/// Most distinct parameters one call may carry (no method takes 30).
pub const MAX_PARAMS: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct Params {
    map: HashMap<String, String>,
}

impl Params {
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Params {
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        Params { map }
    }

    /// The query string alone (used when the body cannot be read).
    pub fn read_query(query: Option<&str>) -> Params {
        Params::from_pairs(parse_urlencoded(query.unwrap_or("").as_bytes()))
    }

    /// Reads query and body; a body over `limit` bytes, or one that does
    /// not arrive within `deadline` (a slowloris body), is 16.
    pub async fn read(
        query: Option<&str>,
        headers: &HeaderMap,
        body: Body,
        limit: usize,
        deadline: std::time::Duration,
    ) -> Result<Params> {
        use axum::body::HttpBody;
        // A request without a body has nothing to wait for: no timer (most
        // API calls are GETs, and a timer per call is measurable).
        if body.is_end_stream() {
            return Params::read_all(query, headers, body, limit).await;
        }
        tokio::time::timeout(deadline, Params::read_all(query, headers, body, limit))
            .await
            .unwrap_or_else(|_| Err(Error::Invalid("the request body came too slowly".into())))
    }

    async fn read_all(
        query: Option<&str>,
        headers: &HeaderMap,
        body: Body,
        limit: usize,
    ) -> Result<Params> {
        let mut params = Params::read_query(query);
        let raw_ctype = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ctype = raw_ctype.to_ascii_lowercase();
        if ctype.starts_with("multipart/form-data") {
            // The boundary is case-sensitive: parse it from the header as sent.
            let boundary = multer::parse_boundary(raw_ctype)
                .map_err(|_| Error::Invalid("bad multipart boundary".into()))?;
            let fields = dropspace_proto::form::read_text_fields(
                body.into_data_stream(),
                boundary,
                limit as u64,
            )
            .await
            .map_err(|e| bad_body(&e))?;
            params.map.extend(fields);
        } else if ctype.is_empty()
            || ctype.starts_with("application/x-www-form-urlencoded")
            || ctype.starts_with("text/plain")
        {
            let bytes = read_limited(body, limit).await?;
            for (k, v) in parse_urlencoded(&bytes) {
                params.map.insert(k, v);
            }
        }
        if params.map.len() > MAX_PARAMS {
            return Err(Error::Invalid(
                format!("more than {MAX_PARAMS} parameters").into(),
            ));
        }
        Ok(params)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every parameter, one value per name (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// A mandatory parameter: absent is 4 (empty is allowed).
    pub fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| Error::Missing(name.to_string().into()))
    }

    /// An optional non-negative integer; malformed is 21. Empty counts as absent.
    pub fn opt_u64(&self, name: &str) -> Result<Option<i64>> {
        proto::opt_u64(self.get(name)).map_err(|_| bad_value(name))
    }

    /// An optional 0/1 flag; anything else is 21.
    pub fn opt_flag(&self, name: &str) -> Result<Option<bool>> {
        proto::opt_flag(self.get(name)).map_err(|_| bad_value(name))
    }
}

/// Reads a whole (small) body. Past `limit` the rest is read and dropped,
/// up to a bound, so that the client finishes sending and reads the 16
/// instead of losing it to a connection reset; memory stays at `limit`.
async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>> {
    const DRAIN_FACTOR: usize = 8;
    let unreadable = |text: &'static str| Error::Invalid(text.into());
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable("request body unreadable"))?;
        total = total.saturating_add(chunk.len());
        if total <= limit {
            buf.extend_from_slice(&chunk);
        } else if total > limit.saturating_mul(DRAIN_FACTOR) {
            break;
        }
    }
    if total > limit {
        return Err(unreadable("request body too large"));
    }
    Ok(buf)
}

/// A bad value, naming the parameter.
pub fn bad_value(name: &str) -> Error {
    Error::BadValue(name.to_string().into())
}

fn bad_body(e: &multer::Error) -> Error {
    Error::Invalid(format!("malformed request body: {e}").into())
}
