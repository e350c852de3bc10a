use std::collections::BTreeMap;

use super::*;
use crate::report::fixture;

/// One sample of an exposition.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A strict parser of the Prometheus text exposition format 0.0.4: HELP and
/// TYPE at most once per family and before its samples, samples of a family
/// together, valid metric and label names, only the three label escapes,
/// float values, no series twice.
fn parse(text: &str) -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut helped: Vec<String> = Vec::new();
    let mut finished: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut series = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest
                .split_once(' ')
                .ok_or_else(|| at("HELP without text".into()))?;
            check_metric_name(name).map_err(at)?;
            if helped.contains(&name.to_owned()) {
                return Err(at("second HELP".into()));
            }
            helped.push(name.to_owned());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| at("TYPE without type".into()))?;
            check_metric_name(name).map_err(at)?;
            if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                return Err(at(format!("unknown type {kind}")));
            }
            if typed.insert(name.to_owned(), kind.to_owned()).is_some() {
                return Err(at("second TYPE".into()));
            }
            if samples.iter().any(|s: &Sample| s.name == name) {
                return Err(at("TYPE after samples".into()));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let sample = parse_sample(line).map_err(at)?;
        if !typed.contains_key(&sample.name) {
            return Err(at("sample without TYPE".into()));
        }
        if current.as_deref() != Some(sample.name.as_str()) {
            if finished.contains(&sample.name) {
                return Err(at("family interleaved with another".into()));
            }
            finished.extend(current.take());
            current = Some(sample.name.clone());
        }
        if !series.insert(format!("{}{:?}", sample.name, sample.labels)) {
            return Err(at("series given twice".into()));
        }
        samples.push(sample);
    }
    Ok(samples)
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().enumerate().all(|(i, c)| {
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(format!("bad metric name `{name}`"))
    }
}

fn check_label_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with("__")
        && name
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!("bad label name `{name}`"))
    }
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("sample without value")?;
    let name = &line[..name_end];
    check_metric_name(name)?;
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(body) = rest.strip_prefix('{') {
        let mut cursor = body;
        loop {
            if let Some(after) = cursor.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = cursor.find('=').ok_or("label without =")?;
            let label = &cursor[..eq];
            check_label_name(label)?;
            let quoted = cursor[eq + 1..]
                .strip_prefix('"')
                .ok_or("label value not quoted")?;
            let (value, consumed) = unescape(quoted)?;
            if labels.insert(label.to_owned(), value).is_some() {
                return Err(format!("label {label} twice"));
            }
            cursor = &quoted[consumed..];
            if let Some(next) = cursor.strip_prefix(',') {
                cursor = next;
            } else if !cursor.starts_with('}') {
                return Err("labels not separated by commas".into());
            }
        }
    }
    let mut fields = rest
        .strip_prefix(' ')
        .ok_or("no space before value")?
        .split(' ');
    let value = match fields.next().ok_or("no value")? {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().map_err(|_| format!("bad value `{v}`"))?,
    };
    if let Some(timestamp) = fields.next() {
        timestamp
            .parse::<i64>()
            .map_err(|_| format!("bad timestamp `{timestamp}`"))?;
    }
    if fields.next().is_some() {
        return Err("text after the timestamp".into());
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// A quoted label value up to its closing quote: the value and the bytes read.
fn unescape(text: &str) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, i + 1)),
            '\\' => match chars.next().ok_or("dangling escape")?.1 {
                '\\' => value.push('\\'),
                '"' => value.push('"'),
                'n' => value.push('\n'),
                other => return Err(format!("bad escape \\{other}")),
            },
            '\n' => return Err("raw newline in label value".into()),
            c => value.push(c),
        }
    }
    Err("unterminated label value".into())
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

#[test]
fn the_parser_is_strict() {
    let typed = "# TYPE a gauge\n";
    let bad = [
        "a 1\n",
        "# TYPE a gauge\n# TYPE a gauge\na 1\n",
        "# TYPE a gauge\na{b=\"c\"} x\n",
        "# TYPE a gauge\na{b=c} 1\n",
        "# TYPE a gauge\na{b=\"\\t\"} 1\n",
        "# TYPE a gauge\na{__b=\"c\"} 1\n",
        "# TYPE a gauge\na{b=\"c\" d=\"e\"} 1\n",
        "# TYPE a gauge\na{b=\"c\"} 1\na{b=\"c\"} 2\n",
        "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 1\n",
        "# TYPE 1a gauge\n",
        "# TYPE a thing\n",
    ];
    for text in bad {
        assert!(parse(text).is_err(), "accepted: {text}");
    }
    let good = format!("{typed}a{{b=\"c\\\"d\\\\e\\nf\",g=\"\"}} 1.5\na 2 1700000000\n");
    let samples = parse(&good).unwrap();
    assert_eq!(samples[0].labels["b"], "c\"d\\e\nf");
    assert_eq!(samples[0].labels["g"], "");
    assert_eq!(samples[1].value, 2.0);
}

#[test]
fn the_exposition_counts_the_fixture_report() {
    let report = fixture::report();
    let text = render_prometheus(&report);
    let samples = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let envs = [("baseline", "production"), ("candidate", "staging")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        envs.iter().chain(extra).copied().collect()
    };
    let drift = |class| with(&[("class", class), ("service", "erp"), ("tenant", "")]);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, f64);
    let cases: Vec<Case> = vec![
        (
            "driftgate_run_info",
            with(&[("verdict", "drift"), ("tool_version", "0.1.0")]),
            1.0,
        ),
        ("driftgate_run_exit_code", with(&[]), 1.0),
        ("driftgate_run_duration_seconds", with(&[]), 1.5234),
        (
            "driftgate_run_start_time_seconds",
            with(&[]),
            1_795_687_200.0,
        ),
        ("driftgate_scenarios", with(&[("status", "passed")]), 1.0),
        ("driftgate_scenarios", with(&[("status", "drifted")]), 1.0),
        ("driftgate_scenarios", with(&[("status", "failed")]), 1.0),
        ("driftgate_drifts", drift("missing_field"), 1.0),
        ("driftgate_drifts", drift("extra_field"), 1.0),
        ("driftgate_drifts_failing", drift("missing_field"), 1.0),
        ("driftgate_drifts_failing", drift("extra_field"), 0.0),
        ("driftgate_drifts_waived", drift("extra_field"), 1.0),
        ("driftgate_drifts_waived", drift("value_change"), 0.0),
        (
            "driftgate_differences_suppressed",
            drift("value_change"),
            1.0,
        ),
        (
            "driftgate_timed_steps",
            with(&[("verdict", "inconclusive")]),
            0.0,
        ),
    ];
    for (name, labels, expected) in cases {
        let found = value(&samples, name, &labels);
        assert_eq!(found, Some(expected), "{name} {labels:?}\n{text}");
    }
    assert_eq!(
        value(&samples, "driftgate_drifts", &[("severity", "error")]),
        Some(1.0)
    );
    for sample in samples
        .iter()
        .filter(|s| s.name.starts_with("driftgate_drifts"))
    {
        let keys: Vec<&str> = sample.labels.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "baseline",
                "candidate",
                "class",
                "service",
                "severity",
                "tenant"
            ]
        );
    }
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .timestamp(),
        1_795_687_200
    );
}

#[test]
fn label_values_are_escaped_and_tenants_labelled() {
    let mut report = fixture::report();
    report
        .header
        .environments
        .candidate
        .variables
        .insert("tenant".into(), "acme \"north\"\\eu\nplant".into());
    report.header.environments.baseline.name = "prod\\eu".into();
    let samples = parse(&render_prometheus(&report)).unwrap();
    let drift = samples
        .iter()
        .find(|s| s.name == "driftgate_drifts")
        .unwrap();
    assert_eq!(drift.labels["tenant"], "acme \"north\"\\eu\nplant");
    assert_eq!(drift.labels["baseline"], "prod\\eu");
}

#[test]
fn the_json_holds_the_same_counts() {
    let metrics = collect(&fixture::report());
    assert_eq!(
        metrics.totals,
        Totals {
            scenarios: 3,
            drifts: 3,
            failing: 2,
            waived: 1,
            suppressed: 1,
            inconclusive_timings: 0,
        }
    );
    assert_eq!(metrics.run.verdict, "drift");
    assert_eq!(metrics.run.exit_code, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&render_json(&fixture::report()).unwrap()).unwrap();
    assert_eq!(doc["format"], 1);
    assert_eq!(doc["scenarios"]["failed"], 1);
    assert_eq!(doc["drifts"].as_array().unwrap().len(), 3);
    let waived: Vec<&serde_json::Value> = doc["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["waived"] == 1)
        .collect();
    assert_eq!(waived[0]["class"], "extra_field");
    assert_eq!(doc["suppressed"][0]["class"], "value_change");
}

#[test]
fn files_are_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("textfile/driftgate.prom");
    let json = dir.path().join("metrics.json");
    std::fs::create_dir_all(prom.parent().unwrap()).unwrap();
    std::fs::write(&prom, "old").unwrap();
    let written = write(&fixture::report(), Some(&prom), Some(&json)).unwrap();
    assert_eq!(written, [prom.clone(), json.clone()]);
    assert!(parse(&std::fs::read_to_string(&prom).unwrap()).is_ok());
    assert!(
        std::fs::read_to_string(&json)
            .unwrap()
            .contains("\"totals\"")
    );
    let leftovers: Vec<_> = std::fs::read_dir(prom.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}
