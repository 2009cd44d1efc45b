//! An OpenLDAP `slapd` of a test's own (Debian's `slapd`) for the LDAP
//! login tests (tests/ldap.rs): a small directory — people, groups and a
//! service account — loaded with `slapadd` into a temporary directory and
//! served on a free port (with `start_tls`, also STARTTLS and `ldaps://`
//! under a certificate of a test CA made with the openssl CLI); killed
//! when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE: &str = "dc=example,dc=org";
pub const SERVICE_DN: &str = "cn=reader,dc=example,dc=org";
pub const SERVICE_PASSWORD: &str = "reader-secret";

/// The directory: alice (admins, pro), bob (no groups), carol (max); a
/// service account that may read everything but passwords.
const DATA: &str = "\
dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: cn=reader,dc=example,dc=org
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: reader-secret

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=org
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
mail: alice@example.org
userPassword: wonderland

dn: uid=bob,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
mail: bob@example.org
userPassword: canwefixit

dn: uid=carol,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: carol
cn: Carol Danvers
sn: Danvers
mail: carol@example.org
userPassword: higherfurther

dn: cn=admins,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: admins
member: uid=alice,ou=people,dc=example,dc=org

dn: cn=pro,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: pro
member: uid=alice,ou=people,dc=example,dc=org

dn: cn=max,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: max
member: uid=carol,ou=people,dc=example,dc=org
";

/// The slapd binary, if installed; in CI its absence fails the test.
pub fn slapd_binary() -> Option<PathBuf> {
    let found = PathBuf::from("/usr/sbin/slapd");
    if !found.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "slapd is missing: .ci/run installs slapd"
        );
        eprintln!("skipping: slapd is not installed (apt-get install slapd)");
        return None;
    }
    Some(found)
}

pub struct Slapd {
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub port: u16,
    /// With TLS: the `ldaps://` port.
    pub ldaps_port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a certificate it signed for 127.0.0.1 and
/// localhost (`server.pem`, `server.key`), in `dir`.
fn make_certificates(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=dropspace test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("server.ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
            "-extfile",
            "server.ext",
        ],
    );
}

impl Slapd {
    /// Loads the directory and starts slapd; None when it is not installed
    /// (outside CI).
    pub async fn start() -> Option<Slapd> {
        Slapd::start_with(false).await
    }

    /// As `start`, with STARTTLS on the plain port and `ldaps://` on
    /// another, under a test CA's certificate (`ca_file`).
    pub async fn start_tls() -> Option<Slapd> {
        Slapd::start_with(true).await
    }

    async fn start_with(tls: bool) -> Option<Slapd> {
        let bin = slapd_binary()?;
        let dir = tempfile::tempdir().expect("slapd dir");
        let tls_conf = if tls {
            make_certificates(dir.path());
            let d = dir.path().display();
            format!(
                "TLSCACertificateFile {d}/ca.pem\nTLSCertificateFile {d}/server.pem\n\
                 TLSCertificateKeyFile {d}/server.key\n"
            )
        } else {
            String::new()
        };
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).expect("db dir");
        let conf = dir.path().join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 include /etc/ldap/schema/nis.schema\n\
                 pidfile {dir}/slapd.pid\n\
                 {tls_conf}\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 database mdb\n\
                 suffix \"{BASE}\"\n\
                 rootdn \"cn=admin,{BASE}\"\n\
                 rootpw admin-secret\n\
                 directory {db}\n\
                 access to attrs=userPassword by self read by anonymous auth by * none\n\
                 access to * by * read\n",
                dir = dir.path().display(),
                db = db.display(),
            ),
        )
        .expect("slapd.conf");
        let ldif = dir.path().join("data.ldif");
        std::fs::write(&ldif, DATA).expect("data.ldif");
        let loaded = Command::new("/usr/sbin/slapadd")
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .output()
            .expect("run slapadd");
        assert!(
            loaded.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&loaded.stderr)
        );
        let port = free_port();
        let ldaps_port = if tls { free_port() } else { 0 };
        let mut listen = format!("ldap://127.0.0.1:{port}/");
        if tls {
            listen.push_str(&format!(" ldaps://127.0.0.1:{ldaps_port}/"));
        }
        let child = Command::new(bin)
            .arg("-f")
            .arg(&conf)
            .arg("-h")
            .arg(listen)
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start slapd");
        let deadline = Instant::now() + Duration::from_secs(20);
        for p in [port, ldaps_port].into_iter().filter(|p| *p != 0) {
            while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
                assert!(Instant::now() < deadline, "slapd did not start");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Some(Slapd {
            child: Some(child),
            dir,
            port,
            ldaps_port,
        })
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    pub fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}", self.ldaps_port)
    }

    /// The test CA's certificate (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}
