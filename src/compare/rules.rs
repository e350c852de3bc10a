//! Comparison rules compiled for a scope (global, per service, per route,
//! per scenario tag). The rules as written and their validation are
//! configuration ([`crate::config::rules`]).
//!
//! ```toml
//! [[compare.rules]]
//! name = "order amounts"
//! service = "erp"                      # scope: all optional, all must hold
//! route = "GET /api/orders/*"
//! tag = "@orders"
//! ignore = ["$.generatedAt"]           # hides everything there, presence and type included
//! tolerance = [{ path = "$.total", absolute = 0.01, relative = 0.001 }]
//! unordered = ["$.tags"]               # array compared as a multiset
//! match_by = [{ path = "$.lines", key = "lineNo" }]
//! mask = [{ path = "$..message", regex = "\\d{4,}", replacement = "#" }]
//! case_insensitive = ["$.state"]
//! ignore_whitespace = ["$.note"]
//! format_only = ["$.createdAt"]        # same type and format (RFC 3339, uuid, …), any value
//! headers = ["etag"]                   # also compare these response headers ("*": all)
//! ignore_headers = ["date", "x-*"]     # never compare these
//! ```
//!
//! Every rule except `ignore` changes how *values* compare: none of them
//! hides a field that is missing on one side or a change of JSON type.

use serde_json_path::JsonPath;

use super::generated::GeneratedSettings;
use super::tree::{Act, PathAction, RuleNode};
use crate::config::CompareRules;
use crate::config::noise::{NoiseEntry, NoiseKind};
use crate::config::rules::RuleSpec;
use crate::pattern::wildcard::{RoutePattern, wildcard_match};
use crate::trace::{HttpResponseRecord, ScenarioKey};

/// Where an exchange sits: what scoped rules are matched against.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeScope<'a> {
    /// Service of the exchange.
    pub service: &'a str,
    /// Request method.
    pub method: &'a str,
    /// URL path of the baseline's request.
    pub path: &'a str,
    /// The scenario's tags.
    pub tags: &'a [String],
}

/// One rule, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    label: String,
    service: Option<String>,
    route: Option<RoutePattern>,
    tag: Option<String>,
    paths: Vec<(JsonPath, PathAction)>,
    headers: Vec<String>,
    ignore_headers: Vec<String>,
    header_noise: Vec<String>,
}

impl CompiledRule {
    fn applies(&self, scope: &ExchangeScope<'_>) -> bool {
        self.service.as_deref().is_none_or(|s| s == scope.service)
            && self
                .route
                .as_ref()
                .is_none_or(|r| r.matches(scope.method, scope.path))
            && self.tag.as_deref().is_none_or(|tag| {
                let tag = tag.trim_start_matches('@');
                scope.tags.iter().any(|t| t.trim_start_matches('@') == tag)
            })
    }

    /// A rule that ignores `paths` everywhere, named `label` (a Gherkin step's rule).
    pub(crate) fn ignoring(label: String, paths: &[String]) -> CompiledRule {
        CompiledRule {
            label,
            service: None,
            route: None,
            tag: None,
            paths: parse_all(paths, PathAction::Ignore),
            headers: Vec::new(),
            ignore_headers: Vec::new(),
            header_noise: Vec::new(),
        }
    }
}

fn parse_all(paths: &[String], action: PathAction) -> Vec<(JsonPath, PathAction)> {
    paths
        .iter()
        .filter_map(|p| JsonPath::parse(p).ok())
        .map(|p| (p, action.clone()))
        .collect()
}

/// Every rule of a run, compiled once: global `[compare]`, `[[compare.rules]]`
/// and learned noise.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    headers: Vec<String>,
    /// `[compare] ignore` JSONPaths, for SQL rows compared as objects.
    ignore: Vec<JsonPath>,
    /// What the EDI comparison skips (`edi:` entries of `[compare] ignore`).
    pub(crate) edi: super::edi::EdiRules,
    /// How generated values are recognised.
    pub(crate) generated: GeneratedSettings,
}

impl RuleSet {
    /// Compiles the configured rules; anything that does not parse is skipped
    /// (configuration loading reports it).
    pub fn compile(config: &CompareRules) -> RuleSet {
        let mut rules = vec![CompiledRule {
            ignore_headers: lower(&config.ignore_headers),
            ..CompiledRule::ignoring("[compare] ignore".into(), &config.ignore)
        }];
        for (i, spec) in config.rules.iter().enumerate() {
            rules.push(compile_spec(i, spec));
        }
        rules.extend(config.learned.iter().map(compile_noise));
        RuleSet {
            rules,
            headers: lower(&config.headers),
            ignore: config
                .ignore
                .iter()
                .filter_map(|p| JsonPath::parse(p).ok())
                .collect(),
            edi: super::edi::EdiRules::new(&config.ignore),
            generated: GeneratedSettings {
                mode: config.generated_values,
                clock_skew_ms: config.clock_skew_ms,
                relative_tolerance: config.relative_tolerance,
            },
        }
    }

    /// The global `[compare] ignore` JSONPaths.
    pub(crate) fn ignore_paths(&self) -> &[JsonPath] {
        &self.ignore
    }

    /// Adds a rule (one a Gherkin step asked for).
    pub(crate) fn push(&mut self, rule: CompiledRule) {
        self.rules.push(rule);
    }

    /// The rules that apply to one exchange.
    pub(crate) fn applicable(&self, scope: &ExchangeScope<'_>) -> Applicable<'_> {
        Applicable {
            rules: self.rules.iter().filter(|r| r.applies(scope)).collect(),
            headers: &self.headers,
        }
    }
}

fn lower(names: &[String]) -> Vec<String> {
    names.iter().map(|n| n.to_ascii_lowercase()).collect()
}

fn compile_spec(index: usize, spec: &RuleSpec) -> CompiledRule {
    let label = match &spec.name {
        Some(name) => format!("rule `{name}`"),
        None => format!("compare.rules[{index}]"),
    };
    let mut paths = parse_all(&spec.ignore, PathAction::Ignore);
    paths.extend(parse_all(&spec.unordered, PathAction::Unordered));
    paths.extend(parse_all(
        &spec.case_insensitive,
        PathAction::CaseInsensitive,
    ));
    paths.extend(parse_all(
        &spec.ignore_whitespace,
        PathAction::IgnoreWhitespace,
    ));
    paths.extend(parse_all(&spec.format_only, PathAction::FormatOnly));
    for t in &spec.tolerance {
        let action = PathAction::Tolerance {
            absolute: t.absolute.unwrap_or(0.0),
            relative: t.relative.unwrap_or(0.0),
        };
        paths.extend(parse_all(std::slice::from_ref(&t.path), action));
    }
    for k in &spec.match_by {
        let action = PathAction::MatchBy(k.key.clone());
        paths.extend(parse_all(std::slice::from_ref(&k.path), action));
    }
    for m in &spec.mask {
        if let Ok(regex) = regex::Regex::new(&m.regex) {
            let action = PathAction::Mask {
                regex,
                replacement: m.replacement.clone(),
            };
            paths.extend(parse_all(std::slice::from_ref(&m.path), action));
        }
    }
    CompiledRule {
        label,
        service: spec.service.clone(),
        route: spec
            .route
            .as_deref()
            .and_then(|r| RoutePattern::parse(r).ok()),
        tag: spec.tag.clone(),
        paths,
        headers: lower(&spec.headers),
        ignore_headers: lower(&spec.ignore_headers),
        header_noise: Vec::new(),
    }
}

fn compile_noise(entry: &NoiseEntry) -> CompiledRule {
    let mut rule = CompiledRule::ignoring(format!("learned noise at {}", entry.path), &[]);
    rule.service = Some(entry.service.clone());
    rule.route =
        RoutePattern::parse(&crate::pattern::route_template::route_pattern(&entry.route)).ok();
    if let Some(header) = entry.path.strip_prefix("header:") {
        rule.header_noise.push(header.to_ascii_lowercase());
        return rule;
    }
    let action = match entry.kind {
        NoiseKind::Value => PathAction::Noise,
        NoiseKind::Order => PathAction::NoiseOrder,
    };
    rule.paths = parse_all(std::slice::from_ref(&entry.path), action);
    rule
}

/// The rules that apply to one exchange.
#[derive(Debug)]
pub(crate) struct Applicable<'r> {
    rules: Vec<&'r CompiledRule>,
    headers: &'r [String],
}

/// A response header to compare, and the rule that hides its value, if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderRule {
    /// Lower-case header name.
    pub(crate) name: String,
    /// The rule that ignores the header entirely.
    pub(crate) ignored_by: Option<String>,
    /// The learned noise that hides a change of its value.
    pub(crate) noise: Option<String>,
}

impl Applicable<'_> {
    /// The rule tree for one pair of documents: every location a rule path
    /// selects in either document, with the rule's action there.
    pub(crate) fn tree(
        &self,
        baseline: &serde_json::Value,
        candidate: &serde_json::Value,
    ) -> RuleNode {
        let mut root = RuleNode::default();
        for (r, rule) in self.rules.iter().enumerate() {
            for (p, (path, action)) in rule.paths.iter().enumerate() {
                let act = Act {
                    id: (r, p),
                    action: action.clone(),
                    label: rule.label.clone(),
                };
                for document in [baseline, candidate] {
                    for location in path.query_located(document).locations() {
                        root.insert(location, &act);
                    }
                }
            }
        }
        root
    }

    /// The headers to compare for this response pair, each once, in order.
    pub(crate) fn headers(&self, pair: [&HttpResponseRecord; 2]) -> Vec<HeaderRule> {
        let mut wanted: Vec<String> = Vec::new();
        let allow = self
            .headers
            .iter()
            .chain(self.rules.iter().flat_map(|r| &r.headers));
        for name in allow {
            let names: Vec<String> = if name == "*" {
                pair.iter()
                    .flat_map(|r| r.headers.iter().map(|(n, _)| n.to_ascii_lowercase()))
                    .collect()
            } else {
                vec![name.clone()]
            };
            for name in names {
                if !wanted.contains(&name) {
                    wanted.push(name);
                }
            }
        }
        wanted
            .into_iter()
            .map(|name| HeaderRule {
                ignored_by: self
                    .find_label(|r| r.ignore_headers.iter().any(|p| wildcard_match(p, &name))),
                noise: self.find_label(|r| r.header_noise.contains(&name)),
                name,
            })
            .collect()
    }

    fn find_label(&self, pred: impl Fn(&CompiledRule) -> bool) -> Option<String> {
        self.rules.iter().find(|r| pred(r)).map(|r| r.label.clone())
    }
}

/// The scope of an exchange in a scenario.
pub(crate) fn scope_of<'a>(
    scenario: &'a ScenarioKey,
    service: &'a str,
    method: &'a str,
    path: &'a str,
) -> ExchangeScope<'a> {
    ExchangeScope {
        service,
        method,
        path,
        tags: &scenario.tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> RuleSpec {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn invalid_parts_name_their_key() {
        let cases = [
            (r#"ignore = ["$.ok", "$["]"#, "ignore[1]"),
            (r#"tolerance = [{ path = "$.a" }]"#, "tolerance[0]"),
            (
                r#"tolerance = [{ path = "$.a", absolute = -1.0 }]"#,
                "tolerance[0]",
            ),
            (r#"mask = [{ path = "$.a", regex = "(" }]"#, "mask[0].regex"),
            (
                r#"match_by = [{ path = "a", key = "k" }]"#,
                "match_by[0].path",
            ),
            (r#"route = "orders""#, "route"),
        ];
        for (text, key) in cases {
            let err = spec(text).validate().unwrap_err();
            assert_eq!(err.key, key, "{text}: {err:?}");
        }
        assert!(
            spec(r#"tolerance = [{ path = "$.a", relative = 0.1 }]"#)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<RuleSpec>("ignroe = []").unwrap_err();
        assert!(err.to_string().contains("ignroe"), "{err}");
    }

    #[test]
    fn scopes_must_all_hold() {
        let rule = compile_spec(
            0,
            &spec(
                r#"
                service = "erp"
                route = "GET /api/orders/*"
                tag = "orders"
                "#,
            ),
        );
        let tags = vec!["@orders".to_owned()];
        let scope = |service, method, path| ExchangeScope {
            service,
            method,
            path,
            tags: &tags,
        };
        assert!(rule.applies(&scope("erp", "GET", "/api/orders/1")));
        assert!(!rule.applies(&scope("wms", "GET", "/api/orders/1")));
        assert!(!rule.applies(&scope("erp", "POST", "/api/orders/1")));
        let untagged = ExchangeScope {
            tags: &[],
            ..scope("erp", "GET", "/api/orders/1")
        };
        assert!(!rule.applies(&untagged));
    }
}
