//! The direction of dependencies documented in `src/lib.rs` ("Layers"):
//! every `crate::` (or, in the CLI, `driftgate::`) path in a module names a
//! module of a lower layer, and every module of `src/` is in the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layer of each module, as `src/lib.rs` documents it.
fn documented_layers(lib: &str) -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("//! layer ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let layer: usize = words
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("src/lib.rs: `{line}` has no layer number"));
        for module in words {
            assert!(
                layers.insert(module.to_owned(), layer).is_none(),
                "src/lib.rs lists `{module}` in two layers"
            );
        }
    }
    layers
}

/// Every `.rs` file of a top-level module (`src/NAME.rs` and `src/NAME/**`).
fn files_of(src: &Path, module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The top-level modules of `src/`, except the crate roots.
fn modules(src: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let name = name.strip_suffix(".rs").map(str::to_owned).unwrap_or(name);
            (name != "lib" && name != "main").then_some(name)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Source text without line comments (doc links may point anywhere).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`/`driftgate::`,
/// including the items of `use crate::{a::x, b::y}` groups.
fn used_modules(code: &str, known: &BTreeMap<String, usize>) -> Vec<String> {
    let mut used = Vec::new();
    for root in ["crate::", "driftgate::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find("};").unwrap_or(group.len());
                let mut depth = 0;
                let mut item = String::new();
                for c in group[..end].chars().chain([',']) {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            let name: String = item
                                .trim()
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            if known.contains_key(&name) {
                                used.push(name);
                            }
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if known.contains_key(&name) {
                    used.push(name);
                }
            }
        }
    }
    used
}

#[test]
fn every_import_points_to_a_lower_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layers = documented_layers(&lib);
    let modules = modules(&src);
    let unlisted: Vec<&String> = modules
        .iter()
        .filter(|m| !layers.contains_key(*m))
        .collect();
    assert!(
        unlisted.is_empty(),
        "modules missing from the layer table in src/lib.rs: {unlisted:?}"
    );
    let stale: Vec<&String> = layers.keys().filter(|m| !modules.contains(m)).collect();
    assert!(
        stale.is_empty(),
        "src/lib.rs lists modules that do not exist: {stale:?}"
    );
    let mut violations = Vec::new();
    for module in &modules {
        let own = layers[module];
        for file in files_of(&src, module) {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            for used in used_modules(&code, &layers) {
                if used != *module && layers[&used] >= own {
                    violations.push(format!(
                        "{}: `{module}` (layer {own}) uses `{used}` (layer {})",
                        file.strip_prefix(root).unwrap_or(&file).display(),
                        layers[&used]
                    ));
                }
            }
        }
    }
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "imports against the direction documented in src/lib.rs:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_inline_paths() {
    let layers: BTreeMap<String, usize> = [("config", 2), ("report", 6), ("trace", 2)]
        .into_iter()
        .map(|(m, l)| (m.to_owned(), l))
        .collect();
    let code = code_of(
        "use crate::{config::Redactor, trace::{Side, Twin}};\n\
         fn f() { let _ = crate::report::render(); } // crate::compare::x\n\
         use driftgate::config;\n\
         let s = \"a // crate::report\";",
    );
    let mut used = used_modules(&code, &layers);
    used.sort();
    assert_eq!(used, ["config", "config", "report", "report", "trace"]);
}
