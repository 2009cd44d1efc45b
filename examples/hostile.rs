//! The attack client of `bench/hostile.sh` (not part of the server): the
//! connection attack of `tests/hostile.rs` (the same code, from
//! `tests/common/attack.rs`) against a running server, with `/healthz`
//! polled from another loopback address; prints one JSON line of figures.
//!
//!   hostile BASE SESSION_KEY SERVER_PID [CONNECTIONS] [HEALTH_FROM]
//!
//! BASE is `http://127.0.0.1:PORT`; SESSION_KEY a session of an account
//! that may upload (each upload-form attack needs an identifier);
//! HEALTH_FROM the local address of the `/healthz` client (127.0.0.2).

#[path = "../tests/common/attack.rs"]
mod attack;

use std::time::Duration;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The upload URL's path from an `upload.getInfo` answer.
async fn upload_path(http: &reqwest::Client, base: &str, session: &str) -> Res<String> {
    let xml = http
        .get(format!("{base}/rest/"))
        .query(&[
            ("method", "upload.getInfo"),
            ("session_key", session),
            ("speed_limit", "0"),
        ])
        .send()
        .await?
        .text()
        .await?;
    let url = xml
        .split(" url=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("no upload url in {xml}"))?;
    Ok(url.strip_prefix(base).unwrap_or(url).to_string())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err(
            "usage: hostile BASE SESSION_KEY SERVER_PID [CONNECTIONS] [HEALTH_FROM]".into(),
        );
    }
    let (base, session) = (args[1].trim_end_matches('/'), args[2].as_str());
    let pid: u32 = args[3].parse()?;
    let n: usize = args.get(4).map(|a| a.parse()).transpose()?.unwrap_or(64);
    let from: std::net::IpAddr = args.get(5).map_or("127.0.0.2", String::as_str).parse()?;
    let setup = reqwest::Client::builder().local_address(from).build()?;
    let kinds = attack::mix(n);
    let mut uploads = Vec::new();
    for _ in kinds.iter().filter(|k| k.uploads()) {
        uploads.push(upload_path(&setup, base, session).await?);
    }
    let health = reqwest::Client::builder().local_address(from).build()?;
    health.get(format!("{base}/healthz")).send().await?;
    let r = attack::run(
        base.trim_start_matches("http://"),
        &kinds,
        &uploads,
        &health,
        &format!("{base}/healthz"),
        pid,
        Duration::from_secs(120),
    )
    .await;
    eprintln!("{}", r.summary());
    let count = |f: &dyn Fn(&attack::Outcome) -> bool| r.outcomes.iter().filter(|o| f(o)).count();
    println!(
        "{{\"connections\":{},\"closed\":{},\"refused_16\":{},\"refused_13\":{},\
         \"rss_before_mib\":{:.1},\"rss_growth_mib\":{:.1},\"probes\":{},\"probes_failed\":{},\
         \"healthz_p50_ms\":{:.2},\"healthz_p99_ms\":{:.2},\"healthz_max_ms\":{:.2},\"seconds\":{:.1}}}",
        r.outcomes.len(),
        count(&|o| o.closed),
        count(&|o| o.answer.contains("error_code=16")),
        count(&|o| o.answer.contains("error_code=13")),
        r.rss_before_kib as f64 / 1024.0,
        r.rss_growth_mib(),
        r.health.len(),
        r.health.iter().filter(|(c, _)| *c != 200).count(),
        attack::ms(r.health_percentile(50.0)),
        attack::ms(r.health_percentile(99.0)),
        attack::ms(r.health_percentile(100.0)),
        r.took.as_secs_f64(),
    );
    Ok(())
}
