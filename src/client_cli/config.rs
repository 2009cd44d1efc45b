//! The client's saved state: server, API key, user name and session key in
//! one JSON file that only its owner can read (mode 0600).
//!
//! Location: `$DROPSPACE_CLIENT_CONFIG` if set, else
//! `{config dir}/dropspace/client.json` (`$XDG_CONFIG_HOME` or
//! `~/.config` on Linux, `~/Library/Application Support` on macOS).

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Failure;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Saved {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

pub fn path() -> Result<PathBuf, Failure> {
    if let Some(p) = std::env::var_os("DROPSPACE_CLIENT_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::config_dir()
        .map(|d| d.join("dropspace").join("client.json"))
        .ok_or_else(|| {
            Failure::Io("no configuration directory: set DROPSPACE_CLIENT_CONFIG".into())
        })
}

impl Saved {
    /// The saved state; nothing saved yet is the empty state.
    pub fn load() -> Result<Saved, Failure> {
        read_json(&path()?)
    }

    /// Writes the state atomically, readable by its owner only.
    pub fn save(&self) -> Result<(), Failure> {
        write_private(&path()?, self)
    }
}

/// Resumable uploads not finished yet, so that running the same upload
/// again continues it: the upload's URL by file (path, size and mtime; a
/// changed file starts afresh). Beside the saved login, in `uploads.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pending {
    #[serde(default)]
    pub uploads: std::collections::BTreeMap<String, Unfinished>,
}

/// An upload a run left unfinished.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Unfinished {
    /// One upload: its URL.
    Single(String),
    /// Parts sent at once (`--parallel`): their URLs in the file's order,
    /// and the identifier their joining needs.
    Parts {
        parts: Vec<String>,
        info: dropspace_client::UploadInfo,
    },
}

impl Pending {
    fn path() -> Result<PathBuf, Failure> {
        Ok(path()?.with_file_name("uploads.json"))
    }

    pub fn load() -> Result<Pending, Failure> {
        read_json(&Pending::path()?)
    }

    /// An upload URL lets anyone continue the upload: owner-only, as the
    /// session key.
    pub fn save(&self) -> Result<(), Failure> {
        write_private(&Pending::path()?, self)
    }

    /// The key of a file as it is now.
    pub fn key(file: &std::path::Path, meta: &std::fs::Metadata) -> String {
        let path = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{}|{}|{mtime}", path.display(), meta.len())
    }
}

/// Downloads a run left unfinished: each `NAME.part` file the client
/// wrote, by its path, with the download it holds the start of. Only these
/// are resumed; any other `.part` is someone else's and left alone. Beside
/// the saved login, in `downloads.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Partials {
    #[serde(default)]
    pub downloads: std::collections::BTreeMap<String, PartOf>,
}

/// What a `.part` file holds the start of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOf {
    /// The file id, or the direct URL without its query.
    pub source: String,
    /// The file's size when known.
    pub size: Option<u64>,
}

impl Partials {
    fn path() -> Result<PathBuf, Failure> {
        Ok(path()?.with_file_name("downloads.json"))
    }

    pub fn load() -> Result<Partials, Failure> {
        read_json(&Partials::path()?)
    }

    pub fn save(&self) -> Result<(), Failure> {
        write_private(&Partials::path()?, self)
    }

    /// The key of a `.part` file: its absolute path (it need not exist).
    pub fn key(part: &std::path::Path) -> String {
        let dir = match part.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        match part.file_name() {
            Some(name) => dir.join(name).display().to_string(),
            None => dir.display().to_string(),
        }
    }

    /// Whether `part` is this client's own start of `of`.
    pub fn holds(&self, part: &std::path::Path, of: &PartOf) -> bool {
        self.downloads.get(&Partials::key(part)) == Some(of)
    }
}

/// A saved JSON file; nothing saved yet is the empty state.
fn read_json<T: serde::de::DeserializeOwned + Default>(
    path: &std::path::Path,
) -> Result<T, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| Failure::Io(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Failure::Io(format!("{}: {e}", path.display()))),
    }
}

/// Writes `value` as JSON atomically and privately (`write_private_bytes`).
fn write_private(path: &std::path::Path, value: &impl Serialize) -> Result<(), Failure> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|e| Failure::Io(e.to_string()))?;
    json.push(b'\n');
    write_private_bytes(path, &json)
}

/// Writes `bytes` atomically (a temporary file created 0600, synced, then
/// renamed), so it is never readable by others, not even for a moment.
pub fn write_private_bytes(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::Io(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp).map_err(io)?;
    #[cfg(unix)]
    {
        // A leftover temp file keeps its old mode: set it again.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}
