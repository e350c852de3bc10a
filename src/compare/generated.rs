//! Generated values: values each environment makes up on its own (a
//! timestamp stamped "now", a UUID, a float printed another way, the order of
//! a keyed list), recognised without configuration and compared by shape, not
//! by value.
//!
//! ```text
//! step ran 10:00:00.050–10:00:00.210 (baseline), 10:00:00.060–10:00:00.230 (candidate)
//! "2026-12-01T10:00:00.123Z" vs "2026-12-01T10:00:00.187Z"  both now-stamps, same format → suppressed
//! "2026-12-01T10:00:00.123Z" vs "2026-12-01T10:00:00Z"      now-stamps, another format  → format_change
//! "2026-12-06"               vs "2026-12-07"                a business date             → value_change
//! "0b6c3f38-9a1e-4a53-…"     vs "4f1d0c2e-77aa-4b8e-…"      two UUIDs (v4, lower case)  → suppressed
//! 0.30000000000000004        vs 0.3                         within 1e-9 relative        → suppressed
//! ```
//!
//! A date-time is a *now-stamp* on a side when it falls inside the time that
//! side's scenario had run so far (from the start of its first step to the
//! end of the current one, as the trace's `window` observations record),
//! widened by the allowed clock skew: a creation time stamped by step 1 and
//! echoed by step 3 is still one. `[compare] generated_values = "strict"`
//! turns every recognition off.

use std::collections::HashSet;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use crate::trace::{Observation, Side, StepRecord, StepWindow};

/// Why a now-stamp pair was not drift, as reports name it.
pub(crate) const NOW_STAMP: &str = "generated value: now-stamp (compared by format)";
/// Why a UUID pair was not drift.
pub(crate) const UUID: &str = "generated value: uuid (compared by shape)";
/// Why a ULID pair was not drift.
pub(crate) const ULID: &str = "generated value: ulid (compared by shape)";
/// Why two numbers a float representation apart were not drift.
pub(crate) const FLOAT: &str = "generated value: float representation (relative tolerance)";
/// Why a keyed list in another order was not drift.
pub(crate) const KEYED_ORDER: &str = "generated value: keyed list order (paired by identity key)";

use crate::config::GeneratedValuesMode;

/// How generated values are recognised in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratedSettings {
    /// Recognition on or off.
    pub mode: GeneratedValuesMode,
    /// How far a now-stamp may lie outside its side's window, in milliseconds.
    pub clock_skew_ms: u64,
    /// Numbers this close relative to their magnitude are equal.
    pub relative_tolerance: f64,
}

impl Default for GeneratedSettings {
    /// Recognition on, 2 s of clock skew, a relative tolerance of 1e-9.
    fn default() -> Self {
        GeneratedSettings {
            mode: GeneratedValuesMode::Recognise,
            clock_skew_ms: crate::config::DEFAULT_CLOCK_SKEW_MS,
            relative_tolerance: crate::config::DEFAULT_RELATIVE_TOLERANCE,
        }
    }
}

impl GeneratedSettings {
    /// Recognition switched off.
    pub const STRICT: GeneratedSettings = GeneratedSettings {
        mode: GeneratedValuesMode::Strict,
        clock_skew_ms: 0,
        relative_tolerance: 0.0,
    };
}

/// When one side's scenario had run, up to the step being judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeWindow {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// Recognises generated values for one step pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Recognizer {
    settings: GeneratedSettings,
    windows: [Option<TimeWindow>; 2],
}

/// What a recognised pair of values is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recognised {
    /// Generated values of the same shape: not drift, for this reason.
    Same(&'static str),
    /// A generated value on one side, another format on the other.
    FormatChange,
}

impl Recognizer {
    /// A recognizer that recognises nothing.
    pub(crate) const STRICT: Recognizer = Recognizer {
        settings: GeneratedSettings::STRICT,
        windows: [None, None],
    };

    /// The recognizer for the step at `position` of a scenario's `steps`.
    pub(crate) fn for_step(
        settings: GeneratedSettings,
        steps: &[StepRecord],
        position: usize,
    ) -> Recognizer {
        if settings.mode == GeneratedValuesMode::Strict {
            return Recognizer::STRICT;
        }
        let window = |side: Side| {
            let from = steps[..=position]
                .iter()
                .find_map(|s| step_window(s, side))?
                .0;
            let to = step_window(&steps[position], side)?.1;
            let skew = chrono::Duration::milliseconds(
                i64::try_from(settings.clock_skew_ms).unwrap_or(i64::MAX / 2),
            );
            Some(TimeWindow {
                from: from - skew,
                to: to + skew,
            })
        };
        Recognizer {
            settings,
            windows: [window(Side::Baseline), window(Side::Candidate)],
        }
    }

    /// Whether any recognition is on.
    pub(crate) fn enabled(&self) -> bool {
        self.settings.mode == GeneratedValuesMode::Recognise
    }

    fn window(&self, side: Side) -> Option<TimeWindow> {
        match side {
            Side::Baseline => self.windows[0],
            Side::Candidate => self.windows[1],
        }
    }

    /// Two different values of the same JSON type: recognised, or `None`
    /// when they are compared by value.
    pub(crate) fn values(&self, baseline: &Value, candidate: &Value) -> Option<Recognised> {
        if !self.enabled() {
            return None;
        }
        match (baseline, candidate) {
            (Value::Number(b), Value::Number(c)) => {
                let (b, c) = (b.as_f64()?, c.as_f64()?);
                self.numbers_close(b, c).then_some(Recognised::Same(FLOAT))
            }
            (Value::String(b), Value::String(c)) => self.texts(b, c),
            _ => None,
        }
    }

    /// Whether two numbers differ by no more than the relative tolerance.
    pub(crate) fn numbers_close(&self, b: f64, c: f64) -> bool {
        let scale = b.abs().max(c.abs());
        self.enabled()
            && scale.is_finite()
            && (b - c).abs() <= scale * self.settings.relative_tolerance
    }

    /// Two different texts (a header, a cell, a JSON string): recognised, or
    /// `None` when they are compared by value.
    pub(crate) fn texts(&self, baseline: &str, candidate: &str) -> Option<Recognised> {
        if !self.enabled() {
            return None;
        }
        let stamps = (
            self.is_now_stamp(Side::Baseline, baseline),
            self.is_now_stamp(Side::Candidate, candidate),
        );
        if stamps.0 || stamps.1 {
            return match (stamps, shape(baseline) == shape(candidate)) {
                ((true, true), true) => Some(Recognised::Same(NOW_STAMP)),
                (_, false) => Some(Recognised::FormatChange),
                _ => None,
            };
        }
        match (generated_id(baseline), generated_id(candidate)) {
            (Some(b), Some(c)) if b == c => Some(Recognised::Same(b.reason())),
            (Some(_), _) | (_, Some(_)) => Some(Recognised::FormatChange),
            (None, None) => {
                let masked = (mask_uuids(baseline), mask_uuids(candidate));
                (masked.0 == masked.1).then_some(Recognised::Same(UUID))
            }
        }
    }

    fn is_now_stamp(&self, side: Side, text: &str) -> bool {
        let Some(window) = self.window(side) else {
            return false;
        };
        date_time_readings(text)
            .into_iter()
            .any(|at| window.from <= at && at <= window.to)
    }

    /// The member that identifies the objects of two arrays, when every
    /// element of each side has a distinct scalar value for it and at least
    /// half of the shorter side pairs under it: `id`, `sku`, `code`, then
    /// any `…Id` or `…No` member.
    pub(crate) fn identity_key(&self, baseline: &[Value], candidate: &[Value]) -> Option<String> {
        if !self.enabled() || baseline.is_empty() || candidate.is_empty() {
            return None;
        }
        let first = baseline.first()?.as_object()?;
        let mut names: Vec<&String> = first
            .keys()
            .filter(|k| identity_rank(k).is_some())
            .collect();
        names.sort_by_key(|k| identity_rank(k));
        names
            .into_iter()
            .find(|name| keys_pair(baseline, candidate, name))
            .cloned()
    }
}

/// The start and end of a side's step, from its `window` observation.
fn step_window(step: &StepRecord, side: Side) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    step.sides
        .get(side)
        .observations
        .iter()
        .find_map(|o| match o {
            Observation::Window(StepWindow {
                started_at,
                finished_at,
            }) => Some((parse_utc(started_at)?, parse_utc(finished_at)?)),
            _ => None,
        })
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Every instant a text can name: RFC 3339, an HTTP date (RFC 2822), or a
/// date-time without offset read as UTC and as this machine's local time.
fn date_time_readings(text: &str) -> Vec<DateTime<Utc>> {
    if text.len() < 19 || text.len() > 40 {
        return Vec::new();
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return vec![at.with_timezone(&Utc)];
    }
    if let Ok(at) = DateTime::parse_from_rfc2822(text) {
        return vec![at.with_timezone(&Utc)];
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| {
            let mut readings = vec![naive.and_utc()];
            readings.extend(
                Local
                    .from_local_datetime(&naive)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc)),
            );
            readings
        })
        .unwrap_or_default()
}

/// The shape of a text: every digit `9`, every letter `a`, the rest kept.
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii_digit() => '9',
            c if c.is_alphabetic() => 'a',
            c => c,
        })
        .collect()
}

/// A kind of generated identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeneratedId {
    /// A hyphenated UUID of this version, in lower or upper case.
    Uuid { version: usize, upper: bool },
    /// A ULID (26 Crockford base-32 characters).
    Ulid,
}

impl GeneratedId {
    fn reason(self) -> &'static str {
        match self {
            GeneratedId::Uuid { .. } => UUID,
            GeneratedId::Ulid => ULID,
        }
    }
}

fn generated_id(text: &str) -> Option<GeneratedId> {
    if text.len() == 36 {
        let uuid = uuid::Uuid::try_parse(text).ok()?;
        let upper = text.bytes().any(|b| b.is_ascii_uppercase());
        return Some(GeneratedId::Uuid {
            version: uuid.get_version_num(),
            upper,
        });
    }
    is_ulid(text).then_some(GeneratedId::Ulid)
}

fn is_ulid(text: &str) -> bool {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    text.len() == 26
        && text.as_bytes()[0] <= b'7'
        && text
            .bytes()
            .all(|b| CROCKFORD.contains(&b.to_ascii_uppercase()))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b.is_ascii_alphabetic())
}

/// `text` with every hyphenated UUID inside it replaced by `<uuid>`.
fn mask_uuids(text: &str) -> String {
    static PATTERN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        )
        .ok()
    });
    match PATTERN.as_ref() {
        Some(pattern) => pattern.replace_all(text, "<uuid>").into_owned(),
        None => text.to_owned(),
    }
}

/// How strongly a member name says "identity": lower ranks are preferred.
fn identity_rank(name: &str) -> Option<u8> {
    let long = name.len() > 2;
    match name {
        "id" => Some(0),
        "sku" => Some(1),
        "code" => Some(2),
        _ if long && (name.ends_with("Id") || name.ends_with("_id")) => Some(3),
        _ if long && (name.ends_with("No") || name.ends_with("_no")) => Some(4),
        _ => None,
    }
}

/// Whether `name` identifies the elements of both arrays and pairs at least
/// half of the shorter one.
fn keys_pair(baseline: &[Value], candidate: &[Value], name: &str) -> bool {
    let (Some(b), Some(c)) = (
        distinct_keys(baseline, name),
        distinct_keys(candidate, name),
    ) else {
        return false;
    };
    let paired = b.iter().filter(|key| c.contains(*key)).count();
    paired > 0 && paired * 2 >= b.len().min(c.len())
}

fn distinct_keys(elements: &[Value], name: &str) -> Option<HashSet<String>> {
    let mut keys = HashSet::with_capacity(elements.len());
    for element in elements {
        let key = element.as_object()?.get(name)?;
        if !(key.is_string() || key.is_number()) || !keys.insert(key.to_string()) {
            return None;
        }
    }
    Some(keys)
}

#[cfg(test)]
mod tests;
