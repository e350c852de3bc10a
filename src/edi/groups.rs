//! Segment groups: which group of its message each EDIFACT segment sits in,
//! so a path can name a value by its group (`LIN[2]/QTY[1]+1:2`, the
//! quantity of the second line) instead of by its position in the whole
//! document (`QTY[4]`), and stays put when a line is added before it.
//!
//! ```text
//! UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'NAD+BY+…'RFF+API:77'LIN+1++A:SA'QTY+21:10'LIN+2++B:SA'QTY+21:4'UNS+S'…
//!  message ─┬─ BGM
//!           ├─ NAD[1] ── RFF[1]            (an RFF after a NAD belongs to the party)
//!           ├─ LIN[1] ── QTY[1]
//!           ├─ LIN[2] ── QTY[1]            LIN[2]/QTY[1]+1:2 → "4"
//!           └─ UNS  (the summary section: it closes the line groups)
//! ```
//!
//! A group opens at its trigger segment and runs until a segment that
//! triggers a sibling or an enclosing group, or the end of the message. The
//! triggers follow the UN/EDIFACT directory structure of the messages an
//! order-to-invoice flow exchanges — ORDERS, ORDRSP, ORDCHG, DESADV, INVOIC
//! (D.96A … D.01B) — which nest the same way: parties (`NAD`) with their
//! references and contacts, lines (`LIN`, in DESADV inside packages `CPS`)
//! with their prices, references, packaging, places, taxes, parties and
//! allowances. Other message types are grouped by the same triggers. X12
//! loops need no table: a loop runs to the next segment with its tag.

use std::ops::Range;

use super::{Segment, Standard};

/// A segment group: its trigger and the groups it holds.
struct Group {
    trigger: &'static str,
    children: &'static [Group],
}

const fn group(trigger: &'static str, children: &'static [Group]) -> Group {
    Group { trigger, children }
}

const PARTY: &[Group] = &[
    group("RFF", &[]),
    group("DOC", &[]),
    group("CTA", &[group("COM", &[])]),
    group("LOC", &[]),
];

const ALLOWANCE: &[Group] = &[
    group("ALI", &[]),
    group("QTY", &[]),
    group("PCD", &[]),
    group("MOA", &[]),
    group("RTE", &[]),
    group("TAX", &[]),
];

const PACKAGE: &[Group] = &[
    group("MEA", &[]),
    group("HAN", &[]),
    group("PCI", &[group("GIN", &[])]),
];

const LINE: &[Group] = &[
    group("PRI", &[]),
    group("RFF", &[]),
    group("PAC", PACKAGE),
    group("LOC", &[]),
    group("TAX", &[]),
    group("NAD", PARTY),
    group("ALC", ALLOWANCE),
    group("TDT", &[]),
    group("TOD", &[]),
    group("SCC", &[]),
    group("CCI", &[]),
    group("QVR", &[]),
];

/// Groups directly in a message.
const MESSAGE: &[Group] = &[
    group("RFF", &[]),
    group("NAD", PARTY),
    group("TAX", &[]),
    group("CUX", &[]),
    group("PAT", &[]),
    group("TDT", &[group("LOC", &[])]),
    group("TOD", &[]),
    group("EQD", &[]),
    group("SCC", &[]),
    group("ALC", ALLOWANCE),
    group("CPS", &[group("PAC", PACKAGE), group("LIN", LINE)]),
    group("LIN", LINE),
];

/// Segments that close every group: the summary section follows.
const SECTION_CONTROL: &[&str] = &["UNS"];

/// Where each segment of a document sits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Structure {
    /// For each segment, the index of the segment opening the group (or
    /// message, `UNH`) it sits in; `None` outside messages and in X12.
    parent: Vec<Option<usize>>,
    /// For each segment, the end (exclusive) of what it spans as a path
    /// step: its group or message when it opens one, else up to the next
    /// segment with its tag.
    end: Vec<usize>,
}

impl Structure {
    /// Works out the groups of `segments`.
    pub(crate) fn of(standard: Standard, segments: &[Segment]) -> Structure {
        let mut structure = Structure {
            parent: vec![None; segments.len()],
            end: next_with_same_tag(segments),
        };
        if standard == Standard::Edifact {
            structure.group_messages(segments);
        }
        structure
    }

    fn group_messages(&mut self, segments: &[Segment]) {
        // Open groups, outermost (the message) first: opener index and the groups it may hold.
        let mut open: Vec<(usize, &'static [Group])> = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            let tag = segment.tag.as_str();
            match tag {
                "UNH" => {
                    self.close(&mut open, 0, i);
                    open.push((i, MESSAGE));
                }
                "UNT" => {
                    self.parent[i] = open.first().map(|(opener, _)| *opener);
                    self.close(&mut open, 1, i);
                    self.close(&mut open, 0, i + 1);
                }
                _ if open.is_empty() => {}
                _ => {
                    let trigger = open
                        .iter()
                        .enumerate()
                        .rev()
                        .find_map(|(depth, (_, groups))| {
                            groups
                                .iter()
                                .find(|g| g.trigger == tag)
                                .map(|g| (depth, g.children))
                        });
                    if let Some((depth, children)) = trigger {
                        self.close(&mut open, depth + 1, i);
                        self.parent[i] = Some(open[depth].0);
                        open.push((i, children));
                    } else {
                        if SECTION_CONTROL.contains(&tag) {
                            self.close(&mut open, 1, i);
                        }
                        self.parent[i] = open.last().map(|(opener, _)| *opener);
                    }
                }
            }
        }
        self.close(&mut open, 0, segments.len());
    }

    /// Closes the open groups above the first `keep`, ending them at `end`.
    fn close(&mut self, open: &mut Vec<(usize, &'static [Group])>, keep: usize, end: usize) {
        while open.len() > keep {
            if let Some((opener, _)) = open.pop() {
                self.end[opener] = end;
            }
        }
    }

    /// What segment `index` spans as a path step, within `scope`.
    pub(crate) fn span(&self, index: usize, scope: &Range<usize>) -> Range<usize> {
        let end = self.end.get(index).copied().unwrap_or(scope.end);
        index..end.min(scope.end)
    }

    /// The segments opening the groups segment `index` sits in, outermost
    /// (its message's `UNH`) first.
    pub(crate) fn ancestors(&self, index: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut at = self.parent.get(index).copied().flatten();
        while let Some(opener) = at {
            chain.push(opener);
            at = self.parent.get(opener).copied().flatten();
        }
        chain.reverse();
        chain
    }
}

/// For each segment, the index of the next segment with its tag (or the end).
fn next_with_same_tag(segments: &[Segment]) -> Vec<usize> {
    let mut end = vec![segments.len(); segments.len()];
    let mut next: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, segment) in segments.iter().enumerate().rev() {
        if let Some(&after) = next.get(segment.tag.as_str()) {
            end[i] = after;
        }
        next.insert(&segment.tag, i);
    }
    end
}
