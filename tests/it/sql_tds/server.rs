//! A pysqlbridge TDS server for one test: started on a free port from a
//! generated `tables.json`, killed when the guard drops.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Login every test server admits.
pub const USER: &str = "svc";
/// Its password (set in the server's environment, referenced by tests as a secret).
pub const PASSWORD: &str = "Tds-Secret-4711";

/// The pysqlbridge executable: `$PYSQLBRIDGE`, the repository's `.venv-tds`
/// (made by `.ci/setup.d/pysqlbridge.sh`), or `pysqlbridge` on PATH.
fn executable() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PYSQLBRIDGE") {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-tds/bin/pysqlbridge");
    if venv.is_file() {
        return Some(venv);
    }
    let on_path = std::env::var_os("PATH")?;
    std::env::split_paths(&on_path)
        .map(|dir| dir.join("pysqlbridge"))
        .find(|p| p.is_file())
}

/// Whether the server is missing: fails under CI=true, otherwise prints a
/// loud SKIP and tells the test to return.
pub fn unavailable(test: &str) -> bool {
    if executable().is_some() {
        return false;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: pysqlbridge not found (run .ci/setup.d/pysqlbridge.sh)");
    }
    eprintln!("SKIP {test}: pysqlbridge not found; run .ci/setup.d/pysqlbridge.sh to install it");
    true
}

/// A free TCP port on localhost.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One running pysqlbridge.
pub struct TdsServer {
    child: Child,
    /// Its port.
    pub port: u16,
    /// Folder holding tables.json and the data.
    _dir: tempfile::TempDir,
}

impl TdsServer {
    /// Serves the CSV tables of `fixtures/tds/<env>` plus any extra table
    /// entries (JSON objects as text), on `port` or a free one.
    pub fn start(env: &str, extra_tables: &[String], port: Option<u16>) -> TdsServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tds")
            .join(env);
        let mut tables: Vec<String> = std::fs::read_dir(&fixtures)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .map(|p| {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                format!(
                    r#"{{ "name": "{name}", "csv": {:?} }}"#,
                    p.display().to_string()
                )
            })
            .collect();
        tables.sort();
        tables.extend(extra_tables.iter().cloned());
        let config = format!(
            r#"{{ "logins": [ {{ "user": "{USER}", "password": "${{env:TDS_TEST_PASSWORD}}" }} ], "tables": [ {} ] }}"#,
            tables.join(", ")
        );
        std::fs::write(dir.path().join("tables.json"), config).expect("write tables.json");
        let port = port.unwrap_or_else(free_port);
        let child = Command::new(executable().expect("pysqlbridge"))
            .arg("--config")
            .arg(dir.path().join("tables.json"))
            .args(["--port", &port.to_string()])
            .env("TDS_TEST_PASSWORD", PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pysqlbridge");
        let server = TdsServer {
            child,
            port,
            _dir: dir,
        };
        server.wait_until_listening();
        server
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("pysqlbridge did not listen on {} within 20 s", self.port);
    }

    /// An ADO connection string for this server; the password is a `${VAR}` reference.
    pub fn connection(&self, password_var: &str, encrypt: bool) -> String {
        format!(
            "Server=tcp:127.0.0.1,{};Database=erp;User Id={USER};Password=${{{password_var}}};Encrypt={encrypt};TrustServerCertificate=true",
            self.port
        )
    }

    /// Kills the server now (a crash, as far as clients can tell).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TdsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
