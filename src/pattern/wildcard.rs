//! Wildcard patterns for waivers and rule scopes: `*` matches any run of
//! characters, `?` one character, everything else itself (so `$.items[0]`
//! and `POST /api/orders/*` need no escaping).
//!
//! ```text
//! "value_*"             matches "value_change"
//! "$.lines[*].price"    matches "$.lines[3].price"
//! route "POST /api/orders/*"  matches POST /api/orders/4711, not POST /api/orders/4711/lines
//! route "/api/**"             matches any method on any path below /api/
//! ```

/// Whether `text` matches `pattern` (`*` any run, `?` one character).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A route pattern: an optional method (`POST`, `*`) and a path pattern
/// whose `*` matches one path segment and `**` any number of segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePattern {
    method: Option<String>,
    segments: Vec<String>,
}

impl RoutePattern {
    /// Parses `POST /api/orders/*` or `/api/**`; the path must start with `/`.
    pub fn parse(text: &str) -> Result<RoutePattern, String> {
        let text = text.trim();
        let (method, path) = match text.split_once(' ') {
            Some((method, path)) => (Some(method.trim()), path.trim()),
            None => (None, text),
        };
        if !path.starts_with('/') {
            return Err(format!(
                "route `{text}` must be a path starting with `/`, optionally after a method (`POST /api/orders/*`)"
            ));
        }
        let method = method.filter(|m| *m != "*").map(str::to_ascii_uppercase);
        Ok(RoutePattern {
            method,
            segments: split_path(path).map(str::to_owned).collect(),
        })
    }

    /// Whether a request with this method and URL path (query ignored) matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = split_path(path).collect();
        segments_match(&self.segments, &segments)
    }
}

fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn segments_match(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| segments_match(rest, &path[skip..]))
        }
        Some((first, rest)) => path.split_first().is_some_and(|(segment, tail)| {
            wildcard_match(first, segment) && segments_match(rest, tail)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        let cases = [
            ("value_*", "value_change", true),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("$.lines[*].price", "$.lines[3].price", true),
            ("$.lines[*].price", "$.lines[3].sku", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*order*", "Create an order and read it", true),
            ("*.feature", "features/a.feature", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("Create", "Create an order", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, text),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn routes_match_method_and_segments() {
        let cases = [
            ("POST /api/orders/*", "POST", "/api/orders/4711", true),
            ("POST /api/orders/*", "post", "/api/orders/4711?x=1", true),
            ("POST /api/orders/*", "GET", "/api/orders/4711", false),
            (
                "POST /api/orders/*",
                "POST",
                "/api/orders/4711/lines",
                false,
            ),
            ("POST /api/orders/*", "POST", "/api/orders", false),
            ("/api/orders", "GET", "/api/orders/", true),
            ("* /api/**", "DELETE", "/api/a/b/c", true),
            ("/api/**", "GET", "/api", true),
            ("/api/**/lines", "GET", "/api/orders/1/lines", true),
            ("/api/ord*", "GET", "/api/orders", true),
        ];
        for (pattern, method, path, expected) in cases {
            let route = RoutePattern::parse(pattern).unwrap();
            assert_eq!(
                route.matches(method, path),
                expected,
                "{pattern} ~ {method} {path}"
            );
        }
    }

    #[test]
    fn a_route_must_be_a_path() {
        let err = RoutePattern::parse("POST api/orders").unwrap_err();
        assert!(err.contains("must be a path"), "{err}");
    }
}
