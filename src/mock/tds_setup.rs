//! The demo's TDS server, set up on first use: `driftgate demo` serves its
//! ERP databases with pysqlbridge; when it is not installed and `python3`
//! is, the demo installs it once into a virtual environment in the demo
//! folder, says what and where, and uses it from then on.
//!
//! ```text
//! pysqlbridge (the SQL Server test server behind the demo's ERP databases) is not installed:
//! installing pysqlbridge 2.1.3 into /home/qa/driftgate/.venv-tds (once; `--no-setup` skips this) …
//! ```
//!
//! pysqlbridge is looked for as `$PYSQLBRIDGE`, `<root>/.venv-tds/bin/pysqlbridge`
//! (also made by `.ci/setup.d/pysqlbridge.sh`), then `pysqlbridge` on PATH.
//! Nothing is ever deleted: an existing `.venv-tds` is installed into, not replaced.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pysqlbridge release the demo and the SQL tests use.
pub const PYSQLBRIDGE_VERSION: &str = "2.1.3";

/// Why the demo's TDS server is not available, and what to run instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; to set it up yourself, run `{commands}` (or set PYSQLBRIDGE to its path)")]
pub struct SetupError {
    /// What went wrong.
    pub reason: String,
    /// The shell commands that install it.
    pub commands: String,
}

/// The virtual environment the demo installs pysqlbridge into (an absolute path).
pub fn venv_of(root: &Path) -> PathBuf {
    std::path::absolute(root)
        .unwrap_or_else(|_| root.to_owned())
        .join(".venv-tds")
}

/// The pysqlbridge executable: found, or installed into [`venv_of`]`(root)`
/// when `install` is set and `python3` can make a virtual environment.
/// `say` receives the lines telling the user what is being installed where.
pub fn ensure_pysqlbridge(
    root: &Path,
    install: bool,
    mut say: impl FnMut(&str),
) -> Result<PathBuf, SetupError> {
    if let Some(found) = find(root) {
        return Ok(found);
    }
    let venv = venv_of(root);
    let fail = |reason: String| SetupError {
        reason,
        commands: install_commands(&venv),
    };
    if !install {
        return Err(fail(
            "pysqlbridge is not installed and --no-setup was given".into(),
        ));
    }
    if !python_can_make_venvs() {
        return Err(fail(
            "pysqlbridge is not installed, and `python3 -m venv` is not available to install it (on Debian/Ubuntu: `apt-get install python3-venv`)".into(),
        ));
    }
    say(&format!(
        "pysqlbridge (the SQL Server test server behind the demo's ERP databases) is not installed:\ninstalling pysqlbridge {PYSQLBRIDGE_VERSION} into {} (once; `--no-setup` skips this) …",
        venv.display()
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv)).map_err(&fail)?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("pysqlbridge=={PYSQLBRIDGE_VERSION}"),
    ]))
    .map_err(&fail)?;
    let executable = venv.join("bin/pysqlbridge");
    if !executable.is_file() {
        return Err(fail(format!(
            "pip finished but {} is not there",
            executable.display()
        )));
    }
    say(&format!(
        "installed pysqlbridge {PYSQLBRIDGE_VERSION}: {}",
        executable.display()
    ));
    Ok(executable)
}

/// pysqlbridge as `$PYSQLBRIDGE`, in `<root>/.venv-tds`, or on PATH.
fn find(root: &Path) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PYSQLBRIDGE") {
        return Some(PathBuf::from(path));
    }
    let venv = venv_of(root).join("bin/pysqlbridge");
    if venv.is_file() {
        return Some(venv);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("pysqlbridge"))
        .find(|p| p.is_file())
}

fn python_can_make_venvs() -> bool {
    Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Runs a setup command; an error holds the command and the end of its output.
fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let out = command
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    Err(format!(
        "{shown} failed ({}): {}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
    ))
}

fn install_commands(venv: &Path) -> String {
    format!(
        "python3 -m venv {venv} && {venv}/bin/pip install pysqlbridge=={PYSQLBRIDGE_VERSION}",
        venv = venv.display()
    )
}
