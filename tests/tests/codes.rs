//! The stable codes are defined once (`rolegate_core::ffi::Code`); the npm package's
//! declarations list exactly the ones JavaScript can meet, so a new code cannot be forgotten
//! there and a stale one cannot linger.

use rolegate_core::ffi::Code;

/// Codes only the JS wrapper and loader produce (network and initialisation).
const JS_ONLY: &[&str] = &["not-initialized", "http-status", "fetch-failed", "timeout"];

fn declared() -> Vec<String> {
    let dts =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../npm/index.d.ts")).unwrap();
    let start = dts.find("export type ErrorCode =").unwrap();
    let end = start + dts[start..].find(';').unwrap();
    dts[start..end]
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The codes a JS caller can meet as errors: every snapshot, trust and delta code, the
/// unknown names a query can name, the loading codes, the boundary's argument and internal
/// errors, and `no-snapshot` (a freed Authorizer) — not the plain ABI's own statuses, not deny
/// reasons (they are decisions, not errors), and not the compile and admin rules, which only
/// native callers (CLI, server) report.
fn reach_js(code: Code) -> bool {
    matches!(code.status(), -16..=-10 | -39..=-30 | -49..=-40 | -59..=-50)
        || matches!(
            code,
            Code::UnknownUser
                | Code::UnknownScope
                | Code::UnknownPermission
                | Code::UnknownRole
                | Code::BadArgument
                | Code::Internal
                | Code::NoSnapshot
        )
}

#[test]
fn index_d_ts_declares_exactly_the_codes_javascript_can_meet() {
    let declared = declared();
    for &code in Code::ALL.iter().filter(|c| reach_js(**c)) {
        assert!(
            declared.iter().any(|d| d == code.as_str()),
            "npm/index.d.ts lacks `{code}` in ErrorCode"
        );
    }
    for d in &declared {
        let known = Code::parse(d).is_some_and(reach_js) || JS_ONLY.contains(&d.as_str());
        assert!(
            known,
            "npm/index.d.ts declares `{d}`, which nothing produces"
        );
    }
}

#[test]
fn deny_reasons_are_codes() {
    use rolegate_core::Reason;
    for reason in [
        Reason::UnknownPermission,
        Reason::UnknownScope,
        Reason::UnknownUser,
        Reason::NoMatchingAssignment,
    ] {
        let code = reason.denial().unwrap();
        assert_eq!(Reason::denied_by(code), Some(reason));
        // The human-readable form tags a denial with its code's text.
        let json = serde_json::to_value(reason).unwrap();
        assert_eq!(json["kind"], code.as_str());
        assert_eq!(reason.kind(), code.as_str());
    }
}
