//! Route templates: the shape of a request that stays the same from one
//! run, outline row, tenant or repetition to the next, so learned noise and
//! repeated findings are keyed by what the step asked for, not by the values
//! it happened to send.
//!
//! ```text
//! GET /api/orders/4711?page=2                         ──request_shape──▶ GET /api/orders/*
//! step  I send a GET request to "/api/stock/{{ sku }}" on "wms"
//! sent  GET /wms/api/stock/BRK-1001                   ──route_template──▶ GET /wms/api/stock/{{ sku }}
//! step  I send a GET request to "/api/stock/<sku>"   (a Scenario Outline)
//! sent  GET /api/stock/BRK-1001                       ──route_template──▶ GET /api/stock/<sku>
//! step  I send a GET request to "{{ location }}"
//! sent  GET /api/orders/4711                          ──route_template──▶ GET /api/orders/*
//! ```
//!
//! The template of an outline step is its text as written, before the
//! Examples row was substituted (the trace's `outline_text`).
//!
//! A route template is also a route pattern: [`route_pattern`] turns every
//! `{{ … }}` or `<…>` segment into `*`, so `GET /api/stock/{{ sku }}` and
//! `GET /api/stock/<sku>` match every sku.

/// `METHOD /path` with the query dropped and every segment that carries a
/// digit or a placeholder (`<captured:orderId>`) as `*`.
pub fn request_shape(line: &str) -> String {
    let (method, target) = line.split_once(' ').unwrap_or(("", line));
    let shape = generalised_path(target, &|_| false);
    if method.is_empty() {
        shape
    } else {
        format!("{method} {shape}")
    }
}

/// The route template of one exchange of a step: the step's quoted URL
/// template (`/api/stock/{{ sku }}`, or `/api/stock/<sku>` in an outline
/// step as written) laid over the tail of the path sent
/// (so a service's base path stays), or, when the step sent a whole value
/// (`{{ location }}`) or its template does not fit the path, the path sent
/// with every segment that carries a digit, a placeholder, or for which
/// `varies` holds (an environment variable's or captured value) as `*`.
pub fn route_template(
    step_text: &str,
    method: &str,
    path: &str,
    varies: &dyn Fn(&str) -> bool,
) -> String {
    let sent: Vec<&str> = segments(path).collect();
    let laid = url_template(step_text).and_then(|template| {
        let template: Vec<&str> = segments(template).collect();
        let offset = sent.len().checked_sub(template.len())?;
        let fits = template
            .iter()
            .zip(&sent[offset..])
            .all(|(t, s)| is_placeholder(t) || t == s);
        fits.then(|| {
            let prefix = sent[..offset].iter().map(|s| generalised(s, varies));
            prefix
                .chain(template.iter().map(|t| (*t).to_owned()))
                .collect::<Vec<_>>()
        })
    });
    let route = laid.unwrap_or_else(|| sent.iter().map(|s| generalised(s, varies)).collect());
    format!("{method} /{}", route.join("/"))
}

/// A route template as a route pattern: every `{{ … }}` or `<…>` segment
/// becomes `*`.
pub fn route_pattern(route: &str) -> String {
    let (method, path) = route.split_once(' ').unwrap_or(("", route));
    let path = path.trim();
    if !path.split('/').any(is_placeholder) {
        return route.to_owned();
    }
    let pattern: Vec<&str> = path
        .split('/')
        .map(|s| if is_placeholder(s) { "*" } else { s })
        .collect();
    format!("{method} {}", pattern.join("/")).trim().to_owned()
}

/// Whether a template segment stands for a value: a `{{ … }}` template or
/// an outline `<name>` placeholder.
fn is_placeholder(segment: &str) -> bool {
    segment.contains("{{")
        || segment
            .find('<')
            .is_some_and(|open| segment[open..].contains('>'))
}

/// The first quoted argument of a step that is a path template (`"/api/…"`).
fn url_template(step_text: &str) -> Option<&str> {
    let quoted = step_text.split('"').nth(1)?;
    let path = quoted.split(['?', '#']).next()?;
    path.starts_with('/').then_some(path)
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
}

fn generalised_path(path: &str, varies: &dyn Fn(&str) -> bool) -> String {
    let generalised: Vec<String> = segments(path).map(|s| generalised(s, varies)).collect();
    format!("/{}", generalised.join("/"))
}

fn generalised(segment: &str, varies: &dyn Fn(&str) -> bool) -> String {
    let placeholder = segment.contains('<') || segment.contains("%3C");
    if placeholder || segment.bytes().any(|b| b.is_ascii_digit()) || varies(segment) {
        "*".to_owned()
    } else {
        segment.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEVER: &dyn Fn(&str) -> bool = &|_| false;

    #[test]
    fn request_shapes_hide_generated_segments_and_queries() {
        for (line, expected) in [
            ("GET /api/orders/4711?page=2", "GET /api/orders/*"),
            (
                "GET /api/orders/3f2a9c1e-0000-4000-8000-000000000001/lines",
                "GET /api/orders/*/lines",
            ),
            ("POST /api/orders/<captured:orderId>", "POST /api/orders/*"),
            ("GET /api/health", "GET /api/health"),
        ] {
            assert_eq!(request_shape(line), expected, "{line}");
        }
    }

    #[test]
    fn templates_come_from_the_step_and_keep_the_base_path() {
        let step = r#"I send a GET request to "/api/stock/{{ sku }}" on "wms""#;
        assert_eq!(
            route_template(step, "GET", "/api/stock/BRK-1001", NEVER),
            "GET /api/stock/{{ sku }}"
        );
        assert_eq!(
            route_template(step, "GET", "/wms/api/stock/HYD-2040", NEVER),
            "GET /wms/api/stock/{{ sku }}"
        );
        let lines = r#"I send a POST request to "/api/orders/{{ orderId }}/lines""#;
        assert_eq!(
            route_template(lines, "POST", "/api/orders/ORD-1/lines", NEVER),
            "POST /api/orders/{{ orderId }}/lines"
        );
    }

    #[test]
    fn outline_placeholders_are_template_segments() {
        let step = r#"I send a GET request to "/api/stock/<sku>/history" on "wms""#;
        for sent in ["/api/stock/BRK-1001/history", "/api/stock/HYD-2040/history"] {
            assert_eq!(
                route_template(step, "GET", sent, NEVER),
                "GET /api/stock/<sku>/history",
                "{sent}"
            );
        }
        assert_eq!(
            route_template(step, "GET", "/wms/api/stock/BRK-1001/history", NEVER),
            "GET /wms/api/stock/<sku>/history"
        );
        assert_eq!(
            route_template(step, "GET", "/api/stock/BRK-1001/moves", NEVER),
            "GET /api/stock/*/moves",
            "a path the template does not fit falls back"
        );
        let pattern = crate::pattern::wildcard::RoutePattern::parse(&route_pattern(
            "GET /api/stock/<sku>/history",
        ))
        .unwrap();
        assert!(pattern.matches("GET", "/api/stock/NEW-3003/history"));
        assert!(!pattern.matches("GET", "/api/stock/NEW-3003/moves"));
    }

    #[test]
    fn a_whole_value_or_a_template_that_does_not_fit_falls_back_to_the_path() {
        let location = r#"I send a GET request to "{{ location }}""#;
        assert_eq!(
            route_template(location, "GET", "/api/orders/4711", NEVER),
            "GET /api/orders/*"
        );
        let other = r#"I send a GET request to "/api/other/{{ id }}""#;
        let plant = |s: &str| s == "PL-EAST";
        assert_eq!(
            route_template(other, "GET", "/api/plants/PL-EAST/stock", &plant),
            "GET /api/plants/*/stock"
        );
    }

    #[test]
    fn templates_match_as_patterns() {
        assert_eq!(
            route_pattern("GET /api/stock/{{ sku }}"),
            "GET /api/stock/*"
        );
        assert_eq!(
            route_pattern("POST /api/orders/{{ orderId }}/lines"),
            "POST /api/orders/*/lines"
        );
        assert_eq!(route_pattern("GET /api/orders/*"), "GET /api/orders/*");
        let pattern = crate::pattern::wildcard::RoutePattern::parse(&route_pattern(
            "GET /api/stock/{{ sku }}",
        ))
        .unwrap();
        assert!(pattern.matches("GET", "/api/stock/BRK-1001"));
        assert!(!pattern.matches("GET", "/api/stock/BRK-1001/history"));
    }
}
