//! EDI bodies compared segment by segment: envelope noise is ignored,
//! missing, extra and changed segments are drift at their position.

use super::*;

/// A 997 for group 4711, with the gateway's own control numbers and time.
fn ack(control: &str, time: &str, ak5: &str, ak9: &str) -> String {
    let segments =
        format!("ST*997*{control}~AK1*PO*4711*005010~AK2*850*0001~{ak5}~{ak9}~SE*6*{control}~");
    format!(
        "ISA*00*          *00*          *ZZ*BOLTSUPPLY     *ZZ*ACMEMFG        *261126*{time}*^*00501*00000{control}*0*P*>~\
         GS*FA*BOLTSUPPLY*ACMEMFG*20261126*{time}*{control}*X*005010~{segments}GE*1*{control}~IEA*1*00000{control}~"
    )
}

fn edi_exchange(request: &str, response_body: String) -> Observation {
    let Observation::Http(mut exchange) = exchange(
        "POST",
        "https://gw.example/as2/inbound",
        Some(response(200, Some(Body::Text(response_body)))),
    ) else {
        unreachable!()
    };
    exchange.request.body = Some(Body::Text(request.to_owned()));
    Observation::Http(exchange)
}

fn drifts(baseline: String, candidate: String, rules: &CompareRules) -> Vec<Drift> {
    let request = crate::edi::tests::PO_850.replace("P100", "DOCK-7");
    compare(
        &single_step(
            passed(vec![edi_exchange(&request, baseline)]),
            passed(vec![edi_exchange(&request, candidate)]),
        ),
        rules,
    )
}

#[test]
fn control_numbers_and_times_are_noise() {
    let found = drifts(
        ack("0311", "1001", "AK5*A", "AK9*A*1*1*1"),
        ack("9050", "1002", "AK5*A", "AK9*A*1*1*1"),
        &rules(),
    );
    assert_eq!(found, []);
}

#[test]
fn a_rejection_is_drift_at_its_elements() {
    let found = drifts(
        ack("0311", "1001", "AK5*A", "AK9*A*1*1*1"),
        ack("9050", "1002", "AK5*R*5", "AK9*R*1*1*0"),
        &rules(),
    );
    assert_eq!(
        classes(&found),
        [
            (DriftClass::EdiElement, Some("AK501")),
            (DriftClass::EdiElement, Some("AK502")),
            (DriftClass::EdiElement, Some("AK901")),
            (DriftClass::EdiElement, Some("AK904")),
        ]
    );
    assert_eq!(
        found[0].message,
        "segment 6 AK501: \"A\" in baseline, \"R\" in candidate"
    );
    assert_eq!(
        (found[1].baseline.clone(), found[1].candidate.clone()),
        (Some(json!("")), Some(json!("5")))
    );
    assert_eq!(found[0].request.as_deref(), Some("POST /as2/inbound"));
}

#[test]
fn a_missing_segment_is_reported_once_at_its_position() {
    let found = drifts(
        ack("0311", "1001", "AK5*A", "AK9*A*1*1*1"),
        ack("9050", "1002", "AK5*A", "AK9*A*1*1*1")
            .replace("AK2*850*0001~", "")
            .replace("SE*6*", "SE*5*"),
        &rules(),
    );
    assert_eq!(
        classes(&found),
        [(DriftClass::EdiSegmentMissing, Some("AK2"))]
    );
    assert_eq!(
        found[0].message,
        "segment 5 AK2 is missing in candidate: AK2*850*0001"
    );
}

#[test]
fn repeated_segments_align_by_qualifier() {
    let b = crate::edi::tests::PO_850.replace("P100", "DOCK-7");
    let c = b
        .replace("N1*BT*ACME MANUFACTURING HQ*92*ACME-HQ~\nN3*1 INDUSTRY WAY~\nN4*DETROIT*MI*48201*US~\n", "")
        .replace("N1*ST*ACME PLANT 7*92*DOCK-7", "N1*ST*ACME PLANT 9*92*DOCK-7")
        .replace("SE*17*", "SE*14*");
    let found = drifts(b, c, &rules());
    assert_eq!(
        classes(&found),
        [
            (DriftClass::EdiSegmentMissing, Some("N1[1]")),
            (DriftClass::EdiSegmentMissing, Some("N3[1]")),
            (DriftClass::EdiSegmentMissing, Some("N4[1]")),
            (DriftClass::EdiElement, Some("N1[2]/N102")),
        ]
    );
    assert_eq!(
        found[3].message,
        "segment 11 N1[2]/N102: \"ACME PLANT 7\" in baseline, \"ACME PLANT 9\" in candidate (segment 8 in candidate)"
    );
}

#[test]
fn edifact_components_and_user_ignores() {
    let c = crate::edi::tests::ORDERS.to_owned();
    let b = c.replace("UNA:+.? '", "");
    let c = c
        .replace("261126:1000+REF4711", "261126:1130+REF4711")
        .replace("QTY+21:4", "QTY+21:5")
        .replace("DTM+137:20261126", "DTM+137:20261127");
    let found = drifts(b.clone(), c.clone(), &rules());
    assert_eq!(
        classes(&found),
        [
            (DriftClass::EdiElement, Some("DTM[1]+1:2")),
            (DriftClass::EdiElement, Some("LIN[2]/QTY[1]+1:2"))
        ]
    );
    let ignoring = CompareRules {
        ignore: vec!["edi:DTM[=137]+1:2".to_owned()],
        ..rules()
    };
    assert_eq!(
        classes(&drifts(b.clone(), c.clone(), &ignoring)),
        [(DriftClass::EdiElement, Some("LIN[2]/QTY[1]+1:2"))]
    );
    let reported = CompareRules {
        ignore: vec![
            "edi:DTM[=137]+1:2".to_owned(),
            "edi:LIN[2]/QTY[1]+1:2".to_owned(),
        ],
        ..rules()
    };
    assert_eq!(
        classes(&drifts(b, c, &reported)),
        [],
        "a reported path, pasted into [compare] ignore, silences that finding"
    );
}

#[test]
fn a_segment_added_to_an_earlier_line_does_not_rename_a_later_one() {
    let b = crate::edi::tests::ORDERS.to_owned();
    let c = b
        .replace("QTY+21:10'", "QTY+21:10'QTY+59:1'")
        .replace("QTY+21:4", "QTY+21:6")
        .replace("UNT+14+1", "UNT+15+1");
    let found = drifts(b, c, &rules());
    assert_eq!(
        classes(&found),
        [
            (DriftClass::EdiSegmentExtra, Some("LIN[1]/QTY[2]")),
            (DriftClass::EdiElement, Some("LIN[2]/QTY[1]+1:2"))
        ]
    );
}

#[test]
fn invalid_edi_on_one_side_is_body_drift_naming_the_error() {
    let good = ack("0311", "1001", "AK5*A", "AK9*A*1*1*1");
    let bad = good.replace("SE*6*", "SE*7*");
    let found = drifts(good, bad, &rules());
    assert_eq!(classes(&found), [(DriftClass::Body, None)]);
    assert_eq!(found[0].message, "the candidate's EDI is invalid: segment 8 (SE): SE01 says 7 segments, transaction set 9050 has 6 (ST at segment 3)".replace("9050", "0311"));
}

#[test]
fn edi_requests_are_compared_with_environment_values_normalised() {
    let request = |plant: &str| crate::edi::tests::PO_850.replace("P100", plant);
    let step_with = |req_b: String, req_c: String| {
        let body = ack("0311", "1001", "AK5*A", "AK9*A*1*1*1");
        let side = |req: &str| {
            let Observation::Http(mut ex) = edi_exchange(req, body.clone()) else {
                unreachable!()
            };
            ex.request.body = Some(Body::Text(req.to_owned()));
            passed(vec![Observation::Http(ex)])
        };
        single_step(side(&req_b), side(&req_c))
    };
    assert_eq!(
        compare(&step_with(request("P100"), request("S100")), &rules()),
        []
    );
    let found = compare(
        &step_with(
            request("P100"),
            request("S100").replace("PO1*2*4*", "PO1*2*5*"),
        ),
        &rules(),
    );
    assert_eq!(
        classes(&found),
        [(DriftClass::EdiElement, Some("request:PO1[2]/PO102"))]
    );
}
