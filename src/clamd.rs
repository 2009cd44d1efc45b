//! A client of ClamAV's scanning daemon, clamd: its `INSTREAM` command over
//! a unix socket or TCP (docs/scanning.md). Nothing of the server's state:
//! an address, a timeout and a stream of bytes in, a verdict out.
//!
//! The exchange: `zINSTREAM\0`, then the bytes as chunks each led by its
//! length (4 bytes, big-endian), a chunk of length 0 to end; clamd answers
//! one line ended by `\0`: `stream: OK`, `stream: <signature> FOUND`, or a
//! text ending in `ERROR` (e.g. `INSTREAM size limit exceeded. ERROR` past
//! its `StreamMaxLength`, after which it closes the connection).

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bytes per chunk sent to clamd (its own reads are of this order).
const CHUNK: usize = 64 * 1024;
/// The longest answer read; clamd's are one short line.
const MAX_ANSWER: usize = 4096;

/// Where clamd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// Its `LocalSocket`.
    Unix(PathBuf),
    /// Its `TCPSocket`, as `host:port`.
    Tcp(String),
}

impl Address {
    /// `unix:/path` (or an absolute path), `tcp:host:port` or `host:port`.
    pub fn parse(text: &str) -> Result<Address, String> {
        let text = text.trim();
        let hint = "must be unix:/path/to/clamd.sock, tcp:host:port or host:port";
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(format!("`{text}` {hint}"));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        if text.starts_with('/') {
            return Ok(Address::Unix(PathBuf::from(text)));
        }
        let hostport = text.strip_prefix("tcp:").unwrap_or(text);
        let Some((host, port)) = hostport.rsplit_once(':') else {
            return Err(format!("`{text}` {hint}"));
        };
        let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
        if host.is_empty() || !port_ok {
            return Err(format!("`{text}` {hint}"));
        }
        Ok(Address::Tcp(hostport.to_string()))
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix:{}", p.display()),
            Address::Tcp(hp) => write!(f, "tcp:{hp}"),
        }
    }
}

/// What clamd found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The name of the signature that matched.
    Infected(String),
}

/// No verdict.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// clamd could not be reached.
    #[error("clamd at {0} cannot be reached: {1}")]
    Unreachable(String, std::io::Error),
    /// A step of the exchange took longer than the timeout.
    #[error("clamd did not answer within {0} s")]
    Timeout(u64),
    /// The connection failed mid-exchange.
    #[error("talking to clamd: {0}")]
    Io(std::io::Error),
    /// clamd answered, but no verdict: its `ERROR` line, or an answer
    /// that is none of its forms.
    #[error("clamd could not scan the file: {0}")]
    Failed(String),
    /// The bytes to scan could not be read (not clamd's doing).
    #[error("reading the file to scan: {0}")]
    Source(std::io::Error),
}

trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

/// One step of the exchange, within `timeout`.
async fn step<T>(
    timeout: Duration,
    work: impl std::future::Future<Output = std::io::Result<T>>,
) -> Result<T, ScanError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(ScanError::Io(e)),
        Err(_) => Err(ScanError::Timeout(timeout.as_secs())),
    }
}

async fn connect(addr: &Address, timeout: Duration) -> Result<Box<dyn Duplex>, ScanError> {
    let open = async {
        let conn: Box<dyn Duplex> = match addr {
            Address::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
            Address::Tcp(hostport) => {
                let tcp = tokio::net::TcpStream::connect(hostport.as_str()).await?;
                tcp.set_nodelay(true)?;
                Box::new(tcp)
            }
        };
        Ok::<_, std::io::Error>(conn)
    };
    match tokio::time::timeout(timeout, open).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(ScanError::Unreachable(addr.to_string(), e)),
        Err(_) => Err(ScanError::Timeout(timeout.as_secs())),
    }
}

/// Reads clamd's answer: up to its `\0` (or the end of the connection).
async fn answer(conn: &mut Box<dyn Duplex>, timeout: Duration) -> Result<String, ScanError> {
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = step(timeout, conn.read(&mut buf)).await?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if got.contains(&0) || got.len() >= MAX_ANSWER {
            break;
        }
    }
    let end = got.iter().position(|b| *b == 0).unwrap_or(got.len());
    Ok(String::from_utf8_lossy(&got[..end]).trim().to_string())
}

/// The verdict of one answer line.
pub fn parse_answer(line: &str) -> Result<Verdict, ScanError> {
    let line = line.trim();
    let rest = line.strip_prefix("stream:").map(str::trim).unwrap_or(line);
    if rest == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(name) = rest.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(name.trim().to_string()));
    }
    if line.is_empty() {
        return Err(ScanError::Failed("no answer".into()));
    }
    Err(ScanError::Failed(line.to_string()))
}

/// Sends `bytes` to clamd at `addr` and returns its verdict. Every step
/// (connecting, each chunk, waiting for the verdict) must finish within
/// `timeout`; memory is one chunk of the stream, whatever its length.
pub async fn scan<S>(addr: &Address, timeout: Duration, mut bytes: S) -> Result<Verdict, ScanError>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin,
{
    let mut conn = connect(addr, timeout).await?;
    step(timeout, conn.write_all(b"zINSTREAM\0")).await?;
    // A write refused by clamd (it closes after its size limit) leaves its
    // answer to read: it tells why.
    let mut cut: Option<ScanError> = None;
    'send: while let Some(block) = bytes.next().await {
        let block = block.map_err(ScanError::Source)?;
        for piece in block.chunks(CHUNK) {
            let len = (piece.len() as u32).to_be_bytes();
            let sent = step(timeout, async {
                conn.write_all(&len).await?;
                conn.write_all(piece).await
            })
            .await;
            if let Err(e) = sent {
                cut = Some(e);
                break 'send;
            }
        }
    }
    if cut.is_none() {
        if let Err(e) = step(timeout, async {
            conn.write_all(&[0, 0, 0, 0]).await?;
            conn.flush().await
        })
        .await
        {
            cut = Some(e);
        }
    }
    match (answer(&mut conn, timeout).await, cut) {
        (Ok(line), _) if !line.is_empty() => parse_answer(&line),
        (_, Some(e)) => Err(e),
        (Ok(line), None) => parse_answer(&line),
        (Err(e), None) => Err(e),
    }
}

/// Scans bytes held in memory.
pub async fn scan_bytes(
    addr: &Address,
    timeout: Duration,
    bytes: Bytes,
) -> Result<Verdict, ScanError> {
    scan(
        addr,
        timeout,
        futures::stream::iter([Ok::<Bytes, std::io::Error>(bytes)]),
    )
    .await
}

/// `zPING`: whether clamd answers `PONG`.
pub async fn ping(addr: &Address, timeout: Duration) -> Result<(), ScanError> {
    let mut conn = connect(addr, timeout).await?;
    step(timeout, conn.write_all(b"zPING\0")).await?;
    match answer(&mut conn, timeout).await?.as_str() {
        "PONG" => Ok(()),
        other => Err(ScanError::Failed(format!("PING answered `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            Address::parse("unix:/run/clamav/clamd.ctl"),
            Ok(Address::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(
            Address::parse("/run/clamav/clamd.ctl"),
            Ok(Address::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(
            Address::parse("tcp:127.0.0.1:3310"),
            Ok(Address::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            Address::parse(" clamav.internal:3310 "),
            Ok(Address::Tcp("clamav.internal:3310".into()))
        );
        assert_eq!(
            Address::parse("[::1]:3310"),
            Ok(Address::Tcp("[::1]:3310".into()))
        );
        for bad in [
            "",
            "unix:",
            "clamd",
            "tcp:host",
            "host:0",
            "host:99999",
            ":3310",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn answers() {
        assert_eq!(parse_answer("stream: OK").ok(), Some(Verdict::Clean));
        assert_eq!(
            parse_answer("stream: Eicar-Test-Signature FOUND").ok(),
            Some(Verdict::Infected("Eicar-Test-Signature".into()))
        );
        assert!(matches!(
            parse_answer("INSTREAM size limit exceeded. ERROR"),
            Err(ScanError::Failed(t)) if t == "INSTREAM size limit exceeded. ERROR"
        ));
        assert!(matches!(parse_answer(""), Err(ScanError::Failed(_))));
        assert!(matches!(parse_answer("PONG"), Err(ScanError::Failed(_))));
    }
}
