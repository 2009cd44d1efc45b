//! The load client of `bench/run.sh` (not part of the server): drives the
//! workloads curl and wrk cannot — many concurrent Range requests, many
//! small uploads, many slow uploads — against dropspace (the sendspace
//! upload form), nginx (PUT) or rustypaste (multipart), bounded in count
//! and time, and prints one JSON line of figures.
//!
//!   load ranges URL CONNS CHUNK_BYTES
//!   load small TARGET N CONNS SIZE [SECS]
//!   load slow TARGET N SIZE RATE_BYTES_PER_SEC SERVER_PID
//!
//! TARGET is `ds:{base}:{session_key}`, `put:{url_prefix}` or `form:{url}:{field}`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone)]
enum Target {
    /// dropspace: upload.getInfo, then the form.
    Ds { base: String, session: String },
    /// nginx DAV: PUT {prefix}{n}
    Put { prefix: String },
    /// rustypaste and co: one multipart POST.
    Form { url: String, field: String },
}

fn target(spec: &str) -> Target {
    let (kind, rest) = spec.split_once(':').expect("TARGET");
    match kind {
        "ds" => {
            let (base, session) = rest.rsplit_once(':').expect("ds:{base}:{session}");
            Target::Ds {
                base: base.into(),
                session: session.into(),
            }
        }
        "put" => Target::Put {
            prefix: rest.into(),
        },
        _ => {
            let (url, field) = rest.rsplit_once(':').expect("form:{url}:{field}");
            Target::Form {
                url: url.into(),
                field: field.into(),
            }
        }
    }
}

fn attr(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = xml[start..].find('"')? + start;
    Some(xml[start..end].to_string())
}

/// One upload of `body` (already paced by the caller's stream, if any).
/// Whether upload `n` succeeded; why not is said on standard error, so a
/// run's log shows what did not count.
fn counted(n: usize, outcome: Res<bool>) -> bool {
    outcome.unwrap_or_else(|e| {
        eprintln!("upload {n}: {e}");
        false
    })
}

async fn upload(
    http: &reqwest::Client,
    t: &Target,
    n: usize,
    len: u64,
    body: reqwest::Body,
) -> Res<bool> {
    match t {
        Target::Ds { base, session } => {
            let info = http
                .get(format!(
                    "{base}/rest/?method=upload.getInfo&session_key={session}"
                ))
                .send()
                .await?
                .text()
                .await?;
            let url = attr(&info, "url").ok_or("no url")?;
            let extra = attr(&info, "extra_info").ok_or("no extra_info")?;
            let form = reqwest::multipart::Form::new()
                .text("extra_info", extra)
                .part(
                    "userfile",
                    reqwest::multipart::Part::stream_with_length(body, len)
                        .file_name(format!("f{n}.bin")),
                );
            let text = http.post(url).multipart(form).send().await?.text().await?;
            let ok = text.starts_with("upload_status=ok");
            if !ok {
                eprintln!("upload {n}: {}", text.chars().take(200).collect::<String>());
            }
            Ok(ok)
        }
        Target::Put { prefix } => {
            let resp = http
                .put(format!("{prefix}{n}.bin"))
                .header("content-length", len)
                .body(body)
                .send()
                .await?;
            Ok(resp.status().is_success())
        }
        Target::Form { url, field } => {
            let form = reqwest::multipart::Form::new().part(
                field.clone(),
                reqwest::multipart::Part::stream_with_length(body, len)
                    .file_name(format!("f{n}.bin")),
            );
            Ok(http
                .post(url)
                .multipart(form)
                .send()
                .await?
                .status()
                .is_success())
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client")
}

/// CONNS concurrent GETs of consecutive CHUNK-byte ranges, covering the file
/// once; MB/s over all.
async fn ranges(url: &str, conns: usize, chunk: u64) -> Res<()> {
    let http = client();
    let size: u64 = http
        .head(url)
        .send()
        .await?
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or("no length")?;
    let parts: Vec<u64> = (0..size.div_ceil(chunk)).collect();
    let started = Instant::now();
    let bytes: Vec<u64> = futures::stream::iter(parts)
        .map(|i| {
            let http = http.clone();
            let url = url.to_string();
            async move {
                let end = ((i + 1) * chunk).min(size) - 1;
                let resp = http
                    .get(url)
                    .header("range", format!("bytes={}-{end}", i * chunk))
                    .send()
                    .await
                    .ok()?;
                Some(resp.bytes().await.ok()?.len() as u64)
            }
        })
        .buffer_unordered(conns)
        .map(|r| r.unwrap_or(0))
        .collect()
        .await;
    let total: u64 = bytes.iter().sum();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"bytes\":{total},\"expected\":{size},\"seconds\":{secs:.3},\"mbps\":{:.1}}}",
        total as f64 / secs / 1e6
    );
    Ok(())
}

/// N uploads of SIZE bytes from CONNS clients; uploads per second. With
/// SECS > 0 no upload starts after SECS seconds, so the points of a scaling
/// curve cost the same time whatever the server's speed.
async fn small(t: Target, n: usize, conns: usize, size: usize, secs: u64) -> Res<()> {
    let http = client();
    let data = Bytes::from(vec![b'x'; size]);
    let started = Instant::now();
    let deadline = (secs > 0).then(|| started + Duration::from_secs(secs));
    let ok: usize = futures::stream::iter(0..n)
        .take_while(|_| std::future::ready(deadline.is_none_or(|d| Instant::now() < d)))
        .map(|i| {
            let (http, t, data) = (http.clone(), t.clone(), data.clone());
            async move {
                counted(
                    i,
                    upload(&http, &t, i, data.len() as u64, reqwest::Body::from(data)).await,
                ) as usize
            }
        })
        .buffer_unordered(conns)
        .fold(0, |a, b| async move { a + b })
        .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"ok\":{ok},\"n\":{n},\"seconds\":{secs:.3},\"per_sec\":{:.1}}}",
        ok as f64 / secs
    );
    Ok(())
}

fn proc_figures(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    (rss, fds)
}

/// N uploads at once, each SIZE bytes sent at RATE bytes/s; how many
/// complete, and the server's peak RSS (KiB) and open descriptors.
async fn slow(t: Target, n: usize, size: u64, rate: u64, pids: Vec<u32>) -> Res<()> {
    let http = client();
    let (base_rss, _) = pids
        .iter()
        .map(|p| proc_figures(*p))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let sampler = tokio::spawn({
        let pids = pids.clone();
        async move {
            let (mut peak_rss, mut peak_fds) = (0u64, 0u64);
            loop {
                let (rss, fds) = pids
                    .iter()
                    .map(|p| proc_figures(*p))
                    .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                peak_rss = peak_rss.max(rss);
                peak_fds = peak_fds.max(fds);
                if STOP.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            (peak_rss, peak_fds)
        }
    });
    let started = Instant::now();
    let chunk = (rate / 4).max(1024) as usize;
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (http, t) = (http.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            let pieces = size.div_ceil(chunk as u64);
            let pause = Duration::from_secs_f64(chunk as f64 / rate as f64);
            let stream = futures::stream::iter(0..pieces).then(move |k| async move {
                if k > 0 {
                    tokio::time::sleep(pause).await;
                }
                let len = (size - k * chunk as u64).min(chunk as u64) as usize;
                Ok::<_, std::io::Error>(Bytes::from(vec![b'y'; len]))
            });
            counted(
                i,
                upload(&http, &t, i, size, reqwest::Body::wrap_stream(stream)).await,
            )
        }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.unwrap_or(false) {
            ok += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    STOP.store(true, std::sync::atomic::Ordering::Relaxed);
    let (peak_rss, peak_fds) = sampler.await?;
    println!(
        "{{\"ok\":{ok},\"n\":{n},\"seconds\":{secs:.1},\"peak_rss_kib\":{peak_rss},\"base_rss_kib\":{base_rss},\"peak_fds\":{peak_fds}}}"
    );
    Ok(())
}

/// Ends the sampler of `slow`.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize| arg(i).parse::<u64>().unwrap_or(0);
    match arg(0).as_str() {
        "ranges" => ranges(&arg(1), num(2) as usize, num(3)).await,
        "small" => {
            small(
                target(&arg(1)),
                num(2) as usize,
                num(3) as usize,
                num(4) as usize,
                num(5),
            )
            .await
        }
        "slow" => {
            let pids = arg(5).split(',').filter_map(|p| p.parse().ok()).collect();
            slow(target(&arg(1)), num(2) as usize, num(3), num(4), pids).await
        }
        _ => Err("usage: load ranges|small|slow …".into()),
    }
}
