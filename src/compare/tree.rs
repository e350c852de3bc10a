//! The rule tree: the locations of one document pair that rules reach, each
//! with the actions rules ask for there, walked alongside the documents.
//!
//! ```text
//! rules: ignore $.meta · tolerance $.lines[*].price ±0.01 · unordered $.tags
//! tree:  $ ─ meta          [ignore]
//!          ├ lines ─ [0] ─ price [tolerance]
//!          │       └ [1] ─ price [tolerance]
//!          └ tags          [unordered]
//! ```

use std::collections::BTreeMap;

use serde_json_path::NormalizedPath;

use super::Segment;

/// What a rule asks for at a location.
#[derive(Debug, Clone)]
pub(crate) enum PathAction {
    /// Not compared at all (differences are listed as suppressed).
    Ignore,
    /// Numbers equal within an absolute or relative amount.
    Tolerance {
        /// Largest allowed absolute difference.
        absolute: f64,
        /// Largest allowed relative difference.
        relative: f64,
    },
    /// Array compared as a multiset.
    Unordered,
    /// Array elements paired by this member.
    MatchBy(String),
    /// Matches of the regex replaced in strings before comparing.
    Mask {
        /// The pattern.
        regex: regex::Regex,
        /// What replaces each match.
        replacement: String,
    },
    /// Strings compared ignoring case.
    CaseInsensitive,
    /// Strings compared with whitespace collapsed.
    IgnoreWhitespace,
    /// Same JSON type and string format; any value.
    FormatOnly,
    /// Learned value noise: any value of the same type and format.
    Noise,
    /// Learned order noise: array compared as a multiset.
    NoiseOrder,
}

impl PathAction {
    /// Whether the action reaches every location below its own.
    pub(crate) fn inherited(&self) -> bool {
        !matches!(
            self,
            PathAction::Ignore
                | PathAction::Unordered
                | PathAction::MatchBy(_)
                | PathAction::NoiseOrder
        )
    }
}

/// An action placed by one path of one rule.
#[derive(Debug, Clone)]
pub(crate) struct Act {
    /// (rule, path) it came from: the same path matched in both documents is placed once.
    pub(crate) id: (usize, usize),
    /// What to do.
    pub(crate) action: PathAction,
    /// The rule, as named in reports.
    pub(crate) label: String,
}

/// One location and the rule actions at and below it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleNode {
    pub(crate) actions: Vec<Act>,
    names: BTreeMap<String, RuleNode>,
    indices: BTreeMap<usize, RuleNode>,
}

impl RuleNode {
    /// The node of a child location, when a rule reaches it.
    pub(crate) fn child(&self, segment: Segment<'_>) -> Option<&RuleNode> {
        match segment {
            Segment::Name(name) => self.names.get(name),
            Segment::Index(index) => self.indices.get(&index),
        }
    }

    fn child_mut(&mut self, segment: Segment<'_>) -> &mut RuleNode {
        match segment {
            Segment::Name(name) => self.names.entry(name.to_owned()).or_default(),
            Segment::Index(index) => self.indices.entry(index).or_default(),
        }
    }

    /// Places `act` at `location` (once per rule path).
    pub(crate) fn insert(&mut self, location: &NormalizedPath<'_>, act: &Act) {
        let segments: Vec<Segment<'_>> = location.iter().map(Segment::from).collect();
        self.insert_at(&segments, act);
    }

    /// Places `act` at a location given as segments (`[]` is the root).
    pub(crate) fn insert_at(&mut self, segments: &[Segment<'_>], act: &Act) {
        let node = segments
            .iter()
            .fold(self, |node, segment| node.child_mut(*segment));
        if !node.actions.iter().any(|a| a.id == act.id) {
            node.actions.push(act.clone());
        }
    }
}
