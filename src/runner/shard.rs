//! Sharding a suite across processes: `driftgate run --shard I/N` keeps a
//! deterministic, balanced slice of the selected scenarios, so N jobs (a CI
//! matrix, a Kubernetes Indexed Job) together run every scenario exactly once.
//!
//! The scenarios left after outline expansion and tag filtering are sorted by
//! identity (feature path, line, name) and dealt out round-robin: the k-th
//! scenario goes to shard `k mod N + 1`. Shard sizes differ by at most one,
//! and every process that loads the same files with the same tags computes
//! the same slice without talking to the others.
//!
//! ```text
//! sorted suite                     --shard 1/3   --shard 2/3   --shard 3/3
//! features/a.feature:4  Create     ✓
//! features/a.feature:12 Cancel                   ✓
//! features/b.feature:3  Ship                                   ✓
//! features/b.feature:9  Invoice    ✓
//! ```
//!
//! Shards are counted from 1 on the command line (`--shard 1/3`, as in
//! GitLab's `CI_NODE_INDEX`), and from 0 in `JOB_COMPLETION_INDEX` (as a
//! Kubernetes Indexed Job sets it, with `--shards N` or `DRIFTGATE_SHARDS`).

use std::collections::HashSet;
use std::str::FromStr;

use cucumber::feature::Ext as _;
use cucumber::gherkin::{Feature, Scenario};

use super::features::FeatureSet;
use crate::trace::ShardRecord;

/// One slice of a sharded suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    index: usize,
    total: usize,
}

/// A shard that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not of the form `I/N`.
    #[error("bad shard `{0}`: write it as I/N, e.g. --shard 2/3 (shards count from 1)")]
    Malformed(String),
    /// `N` is zero.
    #[error("a suite cannot be cut into 0 shards")]
    NoShards,
    /// `I` is not within `1..=N`.
    #[error("shard {number}/{total} does not exist: --shard counts from 1 to {total}")]
    NumberOutOfRange {
        /// The number given.
        number: usize,
        /// The total given.
        total: usize,
    },
    /// `JOB_COMPLETION_INDEX` is not within `0..N`.
    #[error(
        "JOB_COMPLETION_INDEX={index} is not below the shard count {total}: set `completions` of the Indexed Job to --shards / DRIFTGATE_SHARDS"
    )]
    IndexOutOfRange {
        /// The 0-based index given.
        index: usize,
        /// The total given.
        total: usize,
    },
    /// A shard count without an index.
    #[error(
        "--shards {0} (or DRIFTGATE_SHARDS) needs the shard's index: run inside a Kubernetes Indexed Job (JOB_COMPLETION_INDEX), pass --shard-index, or use --shard I/N"
    )]
    NoIndex(usize),
}

impl crate::diagnostic::Diagnose for ShardError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        vec![crate::diagnostic::Diagnostic::error(self.to_string())]
    }
}

impl Shard {
    /// Shard `number` (counted from 1) of `total`.
    pub fn new(number: usize, total: usize) -> Result<Shard, ShardError> {
        if total == 0 {
            return Err(ShardError::NoShards);
        }
        if number == 0 || number > total {
            return Err(ShardError::NumberOutOfRange { number, total });
        }
        Ok(Shard {
            index: number - 1,
            total,
        })
    }

    /// The shard of a 0-based completion index, as a Kubernetes Indexed Job numbers its pods.
    pub fn from_completion_index(index: usize, total: usize) -> Result<Shard, ShardError> {
        if total == 0 {
            return Err(ShardError::NoShards);
        }
        if index >= total {
            return Err(ShardError::IndexOutOfRange { index, total });
        }
        Ok(Shard { index, total })
    }

    /// The shard's number, counted from 1.
    pub fn number(self) -> usize {
        self.index + 1
    }

    /// How many shards there are.
    pub fn total(self) -> usize {
        self.total
    }

    /// Whether the scenario at `position` of the sorted suite belongs to this shard.
    pub fn holds(self, position: usize) -> bool {
        position % self.total == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.number(), self.total)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let malformed = || ShardError::Malformed(s.to_owned());
        let (number, total) = s.trim().split_once('/').ok_or_else(malformed)?;
        let number = number.trim().parse().map_err(|_| malformed())?;
        let total = total.trim().parse().map_err(|_| malformed())?;
        Shard::new(number, total)
    }
}

/// The shard a run is asked for: `--shard I/N` wins; otherwise a count
/// (`--shards N`, `DRIFTGATE_SHARDS`) with a 0-based index (`--shard-index`,
/// `JOB_COMPLETION_INDEX`). An index alone means no sharding: an Indexed Job
/// without a shard count runs the whole suite in every pod.
pub fn resolve(
    explicit: Option<Shard>,
    total: Option<usize>,
    completion_index: Option<usize>,
) -> Result<Option<Shard>, ShardError> {
    match (explicit, total, completion_index) {
        (Some(shard), _, _) => Ok(Some(shard)),
        (None, Some(total), Some(index)) => Shard::from_completion_index(index, total).map(Some),
        (None, Some(total), None) => Err(ShardError::NoIndex(total)),
        (None, None, _) => Ok(None),
    }
}

/// Where a scenario sits in a feature list: feature, rule (if any), scenario.
type Location = (usize, Option<usize>, usize);

/// Keeps the scenarios of `shard` in `set` and says what was kept.
pub fn select(set: &mut FeatureSet, shard: Shard) -> ShardRecord {
    let mut suite = identities(&set.features);
    suite.sort_by(|a, b| a.0.cmp(&b.0));
    let keep: HashSet<Location> = suite
        .iter()
        .enumerate()
        .filter(|(position, _)| shard.holds(*position))
        .map(|(_, (_, location))| *location)
        .collect();
    let fingerprint = fingerprint(suite.iter().map(|(id, _)| id));
    retain(&mut set.features, &keep);
    set.scenario_count = set.features.iter().map(|f| f.count_scenarios()).sum();
    ShardRecord {
        index: shard.number(),
        total: shard.total(),
        scenarios: keep.len(),
        suite_scenarios: suite.len(),
        suite: fingerprint,
    }
}

/// Every scenario's sort identity `(feature path, line, name)` and location.
fn identities(features: &[Feature]) -> Vec<((String, usize, String), Location)> {
    let mut out = Vec::new();
    for (f, feature) in features.iter().enumerate() {
        let path = feature
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let id = |s: &Scenario| (path.clone(), s.position.line, s.name.clone());
        for (i, scenario) in feature.scenarios.iter().enumerate() {
            out.push((id(scenario), (f, None, i)));
        }
        for (r, rule) in feature.rules.iter().enumerate() {
            for (i, scenario) in rule.scenarios.iter().enumerate() {
                out.push((id(scenario), (f, Some(r), i)));
            }
        }
    }
    out
}

fn retain(features: &mut Vec<Feature>, keep: &HashSet<Location>) {
    for (f, feature) in features.iter_mut().enumerate() {
        let mut i = 0;
        feature.scenarios.retain(|_| {
            i += 1;
            keep.contains(&(f, None, i - 1))
        });
        for (r, rule) in feature.rules.iter_mut().enumerate() {
            let mut i = 0;
            rule.scenarios.retain(|_| {
                i += 1;
                keep.contains(&(f, Some(r), i - 1))
            });
        }
        feature.rules.retain(|rule| !rule.scenarios.is_empty());
    }
    features.retain(|f| f.count_scenarios() > 0);
}

/// FNV-1a (64 bit) over the identities, one per line: stable across
/// processes, machines and builds, unlike `std`'s randomly seeded hasher.
fn fingerprint<'a>(ids: impl Iterator<Item = &'a (String, usize, String)>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for (path, line, name) in ids {
        for byte in format!("{path}:{line} {name}\n").bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    #[test]
    fn shards_parse_from_one() {
        type Parsed = Result<(usize, usize), ShardError>;
        let cases: [(&str, Parsed); 7] = [
            ("1/3", Ok((1, 3))),
            (" 3/3 ", Ok((3, 3))),
            (
                "0/3",
                Err(ShardError::NumberOutOfRange {
                    number: 0,
                    total: 3,
                }),
            ),
            (
                "4/3",
                Err(ShardError::NumberOutOfRange {
                    number: 4,
                    total: 3,
                }),
            ),
            ("1/0", Err(ShardError::NoShards)),
            ("2", Err(ShardError::Malformed("2".into()))),
            ("a/b", Err(ShardError::Malformed("a/b".into()))),
        ];
        for (text, expected) in cases {
            let parsed = text.parse::<Shard>().map(|s| (s.number(), s.total()));
            assert_eq!(parsed, expected, "{text}");
        }
    }

    #[test]
    fn resolution_prefers_the_explicit_shard_and_needs_an_index_for_a_count() {
        let two_of_three = Shard::new(2, 3).unwrap();
        assert_eq!(
            resolve(Some(two_of_three), Some(5), Some(0)),
            Ok(Some(two_of_three))
        );
        assert_eq!(resolve(None, Some(3), Some(1)), Ok(Some(two_of_three)));
        assert_eq!(
            resolve(None, Some(3), Some(3)),
            Err(ShardError::IndexOutOfRange { index: 3, total: 3 })
        );
        assert_eq!(resolve(None, Some(3), None), Err(ShardError::NoIndex(3)));
        assert_eq!(resolve(None, None, Some(2)), Ok(None));
        assert_eq!(resolve(None, None, None), Ok(None));
    }

    fn suite(dir: &Path) -> Vec<PathBuf> {
        let a = dir.join("a.feature");
        std::fs::write(
            &a,
            "Feature: a\n  Scenario: one\n    When I send a GET request to \"/1\"\n  Scenario Outline: row <n>\n    When I send a GET request to \"/<n>\"\n    Examples:\n      | n |\n      | 2 |\n      | 3 |\n      | 4 |\n",
        )
        .unwrap();
        let b = dir.join("b.feature");
        std::fs::write(
            &b,
            "Feature: b\n  Rule: r\n    Scenario: five\n      When I send a GET request to \"/5\"\n  Scenario: six\n    When I send a GET request to \"/6\"\n  Scenario: seven\n    When I send a GET request to \"/7\"\n",
        )
        .unwrap();
        vec![dir.to_path_buf()]
    }

    fn names(set: &FeatureSet) -> Vec<String> {
        let mut out: Vec<String> = set
            .features
            .iter()
            .flat_map(|f| {
                f.scenarios
                    .iter()
                    .chain(f.rules.iter().flat_map(|r| &r.scenarios))
            })
            .map(|s| s.name.clone())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_scenario_lands_in_exactly_one_balanced_shard() {
        let dir = tempfile::tempdir().unwrap();
        let paths = suite(dir.path());
        let all = names(&super::super::features::load(&paths, None, dir.path()).unwrap());
        assert_eq!(all.len(), 7);
        for total in 1..=8 {
            let mut seen = Vec::new();
            let mut fingerprints = HashSet::new();
            for number in 1..=total {
                let mut set = super::super::features::load(&paths, None, dir.path()).unwrap();
                let record = select(&mut set, Shard::new(number, total).unwrap());
                assert_eq!(record.scenarios, set.scenario_count);
                assert_eq!(record.suite_scenarios, 7);
                let (low, high) = (7 / total, 7_usize.div_ceil(total));
                assert!(
                    (low..=high).contains(&set.scenario_count),
                    "{number}/{total}: {}",
                    set.scenario_count
                );
                fingerprints.insert(record.suite);
                seen.extend(names(&set));
            }
            seen.sort();
            assert_eq!(seen, all, "{total} shards");
            assert_eq!(fingerprints.len(), 1);
        }
    }

    #[test]
    fn slices_follow_the_sorted_identities() {
        let dir = tempfile::tempdir().unwrap();
        let paths = suite(dir.path());
        let mut set = super::super::features::load(&paths, None, dir.path()).unwrap();
        select(&mut set, Shard::new(1, 3).unwrap());
        // a:2 one, a:8 row 2, a:9 row 3, a:10 row 4, b:3 five, b:5 six, b:7 seven
        assert_eq!(names(&set), ["one", "row 4", "seven"]);
    }

    #[test]
    fn the_fingerprint_changes_with_the_selection() {
        let dir = tempfile::tempdir().unwrap();
        let paths = suite(dir.path());
        let shard = Shard::new(1, 2).unwrap();
        let record = |tags: Option<&str>| {
            let mut set = super::super::features::load(&paths, tags, dir.path()).unwrap();
            select(&mut set, shard)
        };
        let all = record(None);
        assert_eq!(record(Some("not @nothing")).suite, all.suite);
        std::fs::remove_file(dir.path().join("b.feature")).unwrap();
        let fewer = record(None);
        assert_ne!(fewer.suite, all.suite);
        assert_eq!(fewer.suite_scenarios, 4);
    }
}
