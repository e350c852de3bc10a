//! Demo databases: one pysqlbridge (SQL Server wire-protocol server) per
//! environment serving `mocks/db/<environment>/*.csv` as tables, started by
//! `driftgate demo` when pysqlbridge is installed and stopped when dropped.
//!
//! ```text
//! mocks/db/production/orders.csv ──▶ pysqlbridge on 127.0.0.1:41877 (table `orders`)
//! connection = "Server=tcp:127.0.0.1,41877;Database=erp;User Id=demo;Password=…;Encrypt=true;TrustServerCertificate=true"
//! ```
//!
//! The executable comes from `tds_setup` (found, or installed on first use).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The demo login (a throwaway local server, not a secret).
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo-only-password";

/// A running demo database.
#[derive(Debug)]
pub struct DemoDatabase {
    child: Child,
    port: u16,
    _dir: PathBuf,
}

impl DemoDatabase {
    /// The ADO connection string of this database.
    pub fn connection(&self) -> String {
        format!(
            "Server=tcp:127.0.0.1,{};Database=erp;User Id={DEMO_USER};Password={DEMO_PASSWORD};Encrypt=true;TrustServerCertificate=true",
            self.port
        )
    }

    /// Serves the CSV files of `tables` (a folder) with the pysqlbridge
    /// `executable` on a free port, or says why not.
    pub fn start(executable: &Path, tables: &Path) -> Result<DemoDatabase, String> {
        let dir = std::env::temp_dir().join(format!("driftgate-demo-db-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let config = dir.join("tables.json");
        std::fs::write(&config, tables_json(tables)?)
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let port = free_port()?;
        let child = Command::new(executable)
            .arg("--config")
            .arg(&config)
            .args(["--port", &port.to_string()])
            .env("DRIFTGATE_DEMO_DB_PASSWORD", DEMO_PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", executable.display()))?;
        let database = DemoDatabase {
            child,
            port,
            _dir: dir,
        };
        database.wait_until_listening(Duration::from_secs(20))?;
        Ok(database)
    }

    fn wait_until_listening(&self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "pysqlbridge did not listen on port {} within {timeout:?}",
            self.port
        ))
    }
}

impl Drop for DemoDatabase {
    fn drop(&mut self) {
        // Best effort: the process may already have exited.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

/// pysqlbridge's configuration: the demo login and one table per CSV file.
fn tables_json(folder: &Path) -> Result<String, String> {
    let entries =
        std::fs::read_dir(folder).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
    let mut tables: Vec<serde_json::Value> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let csv = std::fs::canonicalize(&p).unwrap_or(p);
            Some(serde_json::json!({ "name": name, "csv": csv }))
        })
        .collect();
    tables.sort_by_key(|t| t["name"].to_string());
    let config = serde_json::json!({
        "logins": [{ "user": DEMO_USER, "password": "${env:DRIFTGATE_DEMO_DB_PASSWORD}" }],
        "tables": tables,
    });
    Ok(config.to_string())
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_becomes_a_table_behind_the_demo_login() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("orders.csv"), "a\n1\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let config: serde_json::Value =
            serde_json::from_str(&tables_json(dir.path()).unwrap()).unwrap();
        assert_eq!(config["tables"].as_array().unwrap().len(), 1);
        assert_eq!(config["tables"][0]["name"], "orders");
        assert_eq!(config["logins"][0]["user"], DEMO_USER);
    }
}
