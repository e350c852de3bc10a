//! The demo on a fresh machine: with pysqlbridge missing it installs it once
//! (saying what and where) and runs the database scenarios; with
//! `--no-setup`, or without a usable `python3`, it skips them and says
//! exactly what to run. Each test works in a temporary copy of the demo
//! folder, so no shared installation is touched.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A temporary demo folder: the repository's mocks, features and fixtures.
fn fresh_demo_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["mocks", "features", "scenarios"] {
        copy_tree(&source.join(folder), &dir.path().join(folder));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs `driftgate demo` in `root` with `path` as PATH and no PYSQLBRIDGE.
fn demo(root: &Path, path: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(root)
        .env_remove("PYSQLBRIDGE")
        .env("PATH", path)
        .args(["demo", "--color", "never", "--reports"])
        .arg(root.join("reports"))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// PATH without any directory holding a pysqlbridge executable.
fn path_without_pysqlbridge() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("pysqlbridge").exists())
        .collect();
    std::env::join_paths(kept)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn venv_of(root: &Path) -> String {
    root.join(".venv-tds").display().to_string()
}

#[test]
fn no_setup_skips_the_database_scenarios_and_says_what_to_run() {
    let root = fresh_demo_root();
    let (_, stdout) = demo(root.path(), &path_without_pysqlbridge(), &["--no-setup"]);
    let venv = venv_of(root.path());
    assert!(
        stdout.contains(&format!(
            "ERP database scenarios (@database) skipped: pysqlbridge is not installed and --no-setup was given; to set it up yourself, run `python3 -m venv {venv} && {venv}/bin/pip install pysqlbridge==2.1.3`"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("installing pysqlbridge"), "{stdout}");
    assert!(!root.path().join(".venv-tds").exists());
}

#[test]
fn without_python_the_demo_says_what_to_install() {
    let root = fresh_demo_root();
    let empty = tempfile::tempdir().unwrap();
    let (_, stdout) = demo(root.path(), &empty.path().display().to_string(), &[]);
    assert!(
        stdout.contains("skipped: pysqlbridge is not installed, and `python3 -m venv` is not available to install it (on Debian/Ubuntu: `apt-get install python3-venv`); to set it up yourself, run `python3 -m venv"),
        "{stdout}"
    );
}

#[test]
fn the_demo_installs_pysqlbridge_once_and_runs_every_transport() {
    let python = std::process::Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    let broker = std::net::TcpStream::connect("127.0.0.1:5672").is_ok();
    if !python || !broker {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "python3 with venv and RabbitMQ must be available in CI"
        );
        eprintln!(
            "SKIP the_demo_installs_pysqlbridge_once_and_runs_every_transport: python3 venv {python}, RabbitMQ {broker}"
        );
        return;
    }
    let root = fresh_demo_root();
    let path = path_without_pysqlbridge();
    let (code, stdout) = demo(root.path(), &path, &[]);
    let venv = venv_of(root.path());
    assert!(
        stdout.contains(&format!(
            "installing pysqlbridge 2.1.3 into {venv} (once; `--no-setup` skips this)"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("skipped"), "{stdout}");
    assert!(
        stdout.contains("ERP databases: pysqlbridge serving"),
        "{stdout}"
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert!(root.path().join(".venv-tds/bin/pysqlbridge").is_file());

    let (code, again) = demo(root.path(), &path, &[]);
    assert!(!again.contains("installing"), "installed once:\n{again}");
    assert!(
        again.contains("ERP databases: pysqlbridge serving"),
        "{again}"
    );
    assert_eq!(code, Some(1), "{again}");
}
