//! The redactor that keeps secrets out of every output: every resolved
//! secret is registered with the run's [`Redactor`], which every trace line,
//! report and log message passes through.
//!
//! A leaf of the crate: it imports no other driftgate module, so the trace,
//! the configuration and every reporter can depend on it.
//!
//! ```text
//! redactor.add("s3cr3t-token");
//! redactor.redact("Authorization: Bearer s3cr3t-token") == "Authorization: Bearer ***"
//! ```

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};

mod forms;

/// The text that replaces a secret wherever it would appear.
pub const REDACTED: &str = "***";

/// Shortest secret the redactor takes: redacting shorter values would mangle
/// ordinary text without protecting anything.
const MIN_SECRET_LEN: usize = 4;

/// The set of secret values known to this run; cheap to clone and share.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    known: Arc<RwLock<KnownSecrets>>,
}

/// Every form of every registered secret, and one matcher over all of them.
#[derive(Debug, Default)]
struct KnownSecrets {
    forms: Vec<String>,
    /// Finds the leftmost, longest form in one pass; `None` while no secret is known.
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    /// Registers a secret value (values shorter than 4 characters are
    /// ignored) with every form it can take in an output (see [`forms`]):
    /// worked out here once, not on every redaction.
    pub fn add(&self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        let before = known.forms.len();
        for form in forms::of(secret, MIN_SECRET_LEN) {
            if !known.forms.contains(&form) {
                known.forms.push(form);
            }
        }
        if known.forms.len() == before {
            return;
        }
        // Leftmost-longest: a secret containing another is replaced whole.
        known.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&known.forms)
            .ok();
    }

    /// Replaces every form of every known secret in `text` with [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let Some(matcher) = &known.matcher else {
            return Cow::Borrowed(text);
        };
        if !matcher.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        matcher.replace_all_with(text, &mut out, |_, _, out| {
            out.push_str(REDACTED);
            true
        });
        Cow::Owned(out)
    }

    /// Whether any secret is registered.
    pub fn is_empty(&self) -> bool {
        self.known
            .read()
            .map(|k| k.forms.is_empty())
            .unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_redacted_as_written_and_json_escaped() {
        let r = Redactor::default();
        r.add("pa\"ss\\word");
        assert_eq!(r.redact("raw pa\"ss\\word"), "raw ***");
        let line = serde_json::to_string("pa\"ss\\word").unwrap();
        assert_eq!(r.redact(&line), "\"***\"");
    }

    #[test]
    fn every_encoded_form_of_a_secret_is_redacted() {
        let r = Redactor::default();
        r.add("Bearer a+b/c=d%&<>");
        for text in [
            "Bearer a+b/c=d%&<>",
            "Bearer%20a%2Bb%2Fc%3Dd%25%26%3C%3E",
            "Bearer+a%2bb%2fc%3dd%25%26%3c%3e",
            "QmVhcmVyIGErYi9jPWQlJjw+",
            "Bearer a+b&#x2f;c=d%&amp;&lt;&gt;",
        ] {
            assert_eq!(r.redact(&format!("x {text} y")), "x *** y", "{text}");
        }
    }

    #[test]
    fn the_longest_form_wins_where_secrets_overlap() {
        let r = Redactor::default();
        r.add("token-1234");
        r.add("Bearer token-1234");
        assert_eq!(
            r.redact("Authorization: Bearer token-1234."),
            "Authorization: ***."
        );
    }
}
