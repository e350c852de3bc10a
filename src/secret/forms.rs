//! Every form a secret can take on its way into an output, worked out once
//! when the secret is registered with the redactor.
//!
//! A token leaves driftgate not only as written: an echoing server puts it in
//! a URL (percent-encoded, `%20` or `+` for a space, upper or lower hex), a
//! Basic header carries it as base64 of `user:password`, a trace line holds
//! it JSON-escaped, an HTML or XML report entity-escaped. For `a+b/c=d%&<>`:
//!
//! ```text
//! a+b/c=d%&<>                 raw
//! a%2Bb%2Fc%3Dd%25%26%3C%3E   percent-encoded (also lower hex, path and query sets)
//! YStiL2M9ZCUmPD4=            base64 (also unpadded, base64url, and the
//!                             stretch that survives inside a longer base64 text)
//! a+b&#x2f;c=d%&amp;&lt;&gt;  HTML-escaped (and XML- and JSON-escaped)
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

/// Shortest stretch of base64 taken from the middle of a longer base64 text:
/// shorter stretches would match ordinary base64 data by chance.
const MIN_BASE64_CORE: usize = 8;

/// Everything but RFC 3986 unreserved characters (`encodeURIComponent`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// A form value, whose spaces become `+` afterwards.
const FORM: &AsciiSet = &COMPONENT.remove(b' ');
/// What a URL parser encodes in a path (WHATWG path percent-encode set).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');
/// What a URL parser encodes in a query (WHATWG query percent-encode set).
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'\'');
/// What a URL parser encodes in a user name or password.
const USERINFO: &AsciiSet = &PATH
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'|');

/// The forms of `secret` that are at least `min_len` bytes long, without
/// duplicates, `secret` itself first.
pub(super) fn of(secret: &str, min_len: usize) -> Vec<String> {
    let mut encoded = vec![secret.to_owned()];
    encoded.extend(percent_encoded(secret));
    encoded.extend(base64_forms(secret.as_bytes()));
    let mut forms: Vec<String> = Vec::with_capacity(encoded.len() * 4);
    for form in encoded {
        let escaped = [json_escaped(&form), html_escaped(&form), xml_escaped(&form)];
        for candidate in std::iter::once(form).chain(escaped) {
            if candidate.len() >= min_len && !forms.contains(&candidate) {
                forms.push(candidate);
            }
        }
    }
    forms
}

/// The secret percent-encoded as a URL component (with and without the
/// unreserved `-_.~` encoded too), path, query, user info and form value
/// (`+` for a space), each with upper and lower hex digits.
fn percent_encoded(secret: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for set in [NON_ALPHANUMERIC, COMPONENT, PATH, QUERY, USERINFO] {
        forms.push(utf8_percent_encode(secret, set).to_string());
    }
    forms.push(
        utf8_percent_encode(secret, FORM)
            .to_string()
            .replace(' ', "+"),
    );
    let lower: Vec<String> = forms.iter().map(|f| lower_hex(f)).collect();
    forms.extend(lower);
    forms
}

/// `%3C` → `%3c`.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut digits_left = 0;
    for c in encoded.chars() {
        if digits_left > 0 {
            out.push(c.to_ascii_lowercase());
            digits_left -= 1;
        } else {
            if c == '%' {
                digits_left = 2;
            }
            out.push(c);
        }
    }
    out
}

/// Base64 and base64url of the bytes, padded and not, and for each alphabet
/// the stretches that stay the same wherever the bytes sit inside a longer
/// encoded text (so `user:password` is found in base64 of `x-user:password`).
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    let mut forms: Vec<String> = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .map(|engine| engine.encode(bytes))
        .collect();
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        for offset in 0..3usize {
            let mut shifted = vec![0u8; offset];
            shifted.extend_from_slice(bytes);
            let text = engine.encode(&shifted);
            // Character i encodes bits [6i, 6i + 6) of the shifted bytes; keep
            // those that fall wholly inside the secret's bits.
            let start = (8 * offset).div_ceil(6);
            let end = (8 * (offset + bytes.len())) / 6;
            if end >= start + MIN_BASE64_CORE {
                forms.push(text[start..end].to_owned());
            }
        }
    }
    forms
}

/// As inside a JSON string (a trace line, drift.json).
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// As the HTML report's template engine escapes it.
fn html_escaped(text: &str) -> String {
    entity_escaped(text, true)
}

/// As the JUnit report's XML writer escapes it.
fn xml_escaped(text: &str) -> String {
    entity_escaped(text, false)
}

fn entity_escaped(text: &str, html: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if html => out.push_str("&#x27;"),
            '\'' => out.push_str("&apos;"),
            '/' if html => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_has_its_url_base64_and_escaped_forms() {
        let forms = of("a+b/c=d%&<> x", 4);
        for expected in [
            "a+b/c=d%&<> x",
            "a%2Bb%2Fc%3Dd%25%26%3C%3E%20x",
            "a%2bb%2fc%3dd%25%26%3c%3e%20x",
            "a%2Bb%2Fc%3Dd%25%26%3C%3E+x",
            "a+b/c=d%&%3C%3E%20x",
            &STANDARD.encode("a+b/c=d%&<> x"),
            &URL_SAFE_NO_PAD.encode("a+b/c=d%&<> x"),
            "a+b&#x2f;c=d%&amp;&lt;&gt; x",
            "a+b/c=d%&amp;&lt;&gt; x",
        ] {
            assert!(
                forms.iter().any(|f| f == expected),
                "{expected} in {forms:?}"
            );
        }
    }

    #[test]
    fn the_base64_core_is_found_inside_any_longer_base64_text() {
        let forms = of("user:pa55word!", 4);
        for prefix in ["", "x", "xy", "xyz"] {
            for suffix in ["", "!", "!!"] {
                let text = STANDARD.encode(format!("{prefix}user:pa55word!{suffix}"));
                assert!(
                    forms.iter().any(|f| text.contains(f.as_str())),
                    "{prefix}…{suffix}: {text}"
                );
            }
        }
    }

    #[test]
    fn short_forms_are_left_out_and_none_repeats() {
        let forms = of("abcd", 5);
        assert!(forms.iter().all(|f| f.len() >= 5), "{forms:?}");
        let mut unique = forms.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), forms.len());
    }
}
