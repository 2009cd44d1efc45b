//! The tus project's own clients the tests drive (tests/clients: tuspy
//! and tus-js-client, installed by scripts/test.sh).

use std::path::{Path, PathBuf};

/// Where the client scripts and their npm packages are.
pub fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Whether a client is installed; in CI a missing one fails the test.
fn installed(name: &str, probe: &mut std::process::Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is missing: scripts/test.sh installs it"
        );
        eprintln!("skipping: {name} is not installed");
    }
    ok
}

pub fn tuspy() -> bool {
    installed(
        "tuspy (pip install tuspy)",
        std::process::Command::new("python3").args(["-c", "import tusclient"]),
    )
}

pub fn tus_js() -> bool {
    installed(
        "tus-js-client (npm ci in tests/clients)",
        std::process::Command::new("node")
            .current_dir(clients_dir())
            .args(["-e", "import('tus-js-client')"]),
    )
}

pub fn oidc_provider() -> bool {
    installed(
        "oidc-provider (npm ci in tests/clients)",
        std::process::Command::new("node")
            .current_dir(clients_dir())
            .args(["-e", "import('oidc-provider')"]),
    )
}
