//! Files a step names under the fixtures folder (`[run] fixtures`, by
//! default `scenarios/`): request and message bodies, EDI documents, replay
//! files. A name that leads outside the folder is refused, so a feature
//! file cannot make a run read or write any other file of the machine:
//!
//! ```text
//! When I send a POST request to "/api/orders" with the fixture "orders/new.json"   → scenarios/orders/new.json
//! When I send a POST request to "/x" with the fixture "../../../../etc/hostname"  → refused fixture: `../../../../etc/hostname` is outside the folder scenarios: …
//! ```

use std::path::{Path, PathBuf};

use crate::config::folder;
use crate::world::RunContext;

/// Reads a text fixture (JSON or text, UTF-8) from the fixtures folder
/// (never from outside it).
pub(crate) fn read_fixture(run: &RunContext, file: &str) -> Result<String, String> {
    let bytes = read_fixture_bytes(run, file)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read fixture {}: byte {} is not UTF-8 (JSON and text fixtures are UTF-8)",
            run.fixtures.join(file).display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The bytes of a fixture file (never from outside the fixtures folder), or
/// a message naming the file and the fixtures folder.
pub(crate) fn read_fixture_bytes(run: &RunContext, file: &str) -> Result<Vec<u8>, String> {
    let path = fixture_path(run, file)?;
    std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read fixture {}: {e}; fixtures live under {} (see [run] fixtures in driftgate.toml)",
            path.display(),
            run.fixtures.display()
        )
    })
}

/// Where a fixture or replay file named by a step lives, or why it may not
/// be used: it is outside the fixtures folder.
pub(crate) fn fixture_path(run: &RunContext, file: &str) -> Result<PathBuf, String> {
    folder::inside(&run.fixtures, Path::new(file))
        .map_err(|e| format!("refused fixture: {e} ([run] fixtures in driftgate.toml)"))
}
