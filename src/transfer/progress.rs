//! Upload progress, readable from any node: each upload bumps an in-memory
//! counter per chunk (no lock, no I/O), and one task per node writes every
//! counter that moved to the `progress` table in a single transaction twice
//! a second. The start and the end of an upload are written at once by the
//! upload itself. `progress_url` reads the table (`library::progress`);
//! this is its `<progress>` document.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::api::envelope::{to_xml, Node};
use crate::db::now_ms;
use crate::library::progress::{self, Progress};
use crate::state::App;

/// `GET /progress/{identifier}`: the guide's `<progress>` document.
pub async fn show(State(app): State<App>, Path(id): Path<String>) -> Response {
    let row = match progress::status(&app, &id).await {
        Ok(row) => row,
        Err(e) => {
            tracing::error!(error = %e, "reading upload progress");
            Progress::empty("fail")
        }
    };
    let xml = to_xml(&document(&row, now_ms()));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        xml,
    )
        .into_response()
}

/// The `<progress>` tree: status, eta, speed (KB/s), uploaded_bytes,
/// total_size, elapsed, meter (0-100), in the guide's order.
fn document(row: &Progress, now: i64) -> Node {
    let running = row.status == "ok" && row.started_ms > 0;
    let end = if running { now } else { row.updated_ms };
    let elapsed_ms = if row.started_ms > 0 {
        (end - row.started_ms).max(0)
    } else {
        0
    };
    let speed = if elapsed_ms > 0 {
        row.uploaded.saturating_mul(1000) / elapsed_ms
    } else {
        0
    };
    let left = (row.total - row.uploaded).max(0);
    let eta = if running && speed > 0 {
        left / speed
    } else {
        0
    };
    let meter = if row.status == "done" {
        100
    } else if row.total > 0 {
        (row.uploaded.min(row.total).saturating_mul(100) / row.total).clamp(0, 100)
    } else {
        0
    };
    Node::new("progress")
        .child(Node::text("status", &row.status))
        .child(Node::text("eta", clock(eta)))
        .child(Node::text("speed", speed / 1024))
        .child(Node::text("uploaded_bytes", row.uploaded))
        .child(Node::text("total_size", row.total))
        .child(Node::text("elapsed", clock(elapsed_ms / 1000)))
        .child(Node::text("meter", meter))
}

/// Seconds as `HH:MM:SS`.
fn clock(secs: i64) -> String {
    let secs = secs.max(0);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, uploaded: i64, total: i64) -> Progress {
        Progress {
            status: status.into(),
            uploaded,
            total,
            started_ms: 1_000_000,
            updated_ms: 1_004_000,
        }
    }

    fn values(n: &Node) -> Vec<(String, String)> {
        n.children
            .iter()
            .map(|c| (c.name.to_string(), c.text.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn running_upload() {
        // 512 KiB of 1 MiB after 2 s: 256 KB/s, 2 s left, 50 %.
        let v = values(&document(&row("ok", 512 * 1024, 1024 * 1024), 1_002_000));
        let names: Vec<_> = v.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "status",
                "eta",
                "speed",
                "uploaded_bytes",
                "total_size",
                "elapsed",
                "meter"
            ]
        );
        assert_eq!(v[0].1, "ok");
        assert_eq!(v[1].1, "00:00:02");
        assert_eq!(v[2].1, "256");
        assert_eq!(v[5].1, "00:00:02");
        assert_eq!(v[6].1, "50");
    }

    #[test]
    fn finished_upload_keeps_its_figures() {
        let v = values(&document(&row("done", 100, 100), 9_000_000));
        assert_eq!(v[0].1, "done");
        assert_eq!(v[1].1, "00:00:00");
        assert_eq!(v[5].1, "00:00:04");
        assert_eq!(v[6].1, "100");
    }

    #[test]
    fn clock_format() {
        assert_eq!(clock(3725), "01:02:05");
        assert_eq!(clock(-5), "00:00:00");
    }
}
