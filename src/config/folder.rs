//! Paths that must stay inside their configured folder: fixtures and replay
//! files under `[run] fixtures`, the learned noise file beside the config.
//!
//! A feature file in a merge request names these paths, so it must not be
//! able to make a run read (and send to both environments) or write a file
//! anywhere else on the CI runner:
//!
//! ```text
//! inside("scenarios", "orders/new.json")        → Ok("scenarios/orders/new.json")
//! inside("scenarios", "../../../../etc/hostname") → Err("`../../../../etc/hostname` is outside the folder scenarios: it climbs out with `..`")
//! inside("scenarios", "/etc/hostname")           → Err("… it is an absolute path")
//! inside("scenarios", "link/secret")             → Err("… it leads to /etc/secret through a symbolic link")
//! ```

use std::path::{Component, Path, PathBuf};

/// A path that leaves the folder it must stay in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{path}` is outside the folder {folder}: {why}; name a file inside {folder}",
    path = .path.display(),
    folder = .folder.display()
)]
pub struct OutsideFolder {
    /// The path as given.
    pub path: PathBuf,
    /// The folder it must stay in.
    pub folder: PathBuf,
    /// How it leaves: absolute, `..`, or a symbolic link and where it leads.
    pub why: String,
}

/// `folder/path`, when `path` is relative, never climbs above `folder` and,
/// with symbolic links followed as far as the path exists, stays inside it.
pub fn inside(folder: &Path, path: &Path) -> Result<PathBuf, OutsideFolder> {
    let outside = |why: String| OutsideFolder {
        path: path.to_owned(),
        folder: folder.to_owned(),
        why,
    };
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| outside("it climbs out with `..`".into()))?;
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(outside("it is an absolute path".into()));
            }
        }
    }
    let joined = folder.join(path);
    let Ok(root) = folder.canonicalize() else {
        // No folder, so nothing inside it exists to be read either.
        return Ok(joined);
    };
    // The deepest part of the path that exists, links resolved, must be inside.
    let mut probe = joined.as_path();
    loop {
        if let Ok(real) = probe.canonicalize() {
            if !real.starts_with(&root) {
                return Err(outside(format!(
                    "it leads to {} through a symbolic link",
                    real.display()
                )));
            }
            return Ok(joined);
        }
        match probe.parent() {
            Some(parent) if parent.starts_with(folder) && parent != probe => probe = parent,
            _ => return Ok(joined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_inside_the_folder_resolves_there() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("orders")).unwrap();
        std::fs::write(dir.path().join("orders/new.json"), "{}").unwrap();
        for (path, expected) in [
            ("orders/new.json", "orders/new.json"),
            ("./orders/../orders/new.json", "./orders/../orders/new.json"),
            (
                "captured/not-yet-written.jsonl",
                "captured/not-yet-written.jsonl",
            ),
        ] {
            assert_eq!(
                inside(dir.path(), Path::new(path)),
                Ok(dir.path().join(expected)),
                "{path}"
            );
        }
    }

    #[test]
    fn an_escape_names_the_path_the_folder_and_how() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("scenarios");
        std::fs::create_dir_all(&folder).unwrap();
        let outside_dir = tempfile::tempdir().unwrap();
        std::fs::write(outside_dir.path().join("hostname"), "ci-runner").unwrap();
        std::os::unix::fs::symlink(outside_dir.path(), folder.join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside_dir.path().join("hostname"),
            folder.join("file-link"),
        )
        .unwrap();
        for (path, why) in [
            ("../../../../etc/hostname", "climbs out with `..`"),
            ("orders/../../x.json", "climbs out with `..`"),
            ("/etc/hostname", "absolute path"),
            ("link/hostname", "through a symbolic link"),
            ("file-link", "through a symbolic link"),
            ("link/not-there/new.jsonl", "through a symbolic link"),
        ] {
            let err = inside(&folder, Path::new(path)).unwrap_err().to_string();
            assert!(
                err.contains(&format!("`{path}`"))
                    && err.contains(&folder.display().to_string())
                    && err.contains(why),
                "{path}: {err}"
            );
        }
    }
}
