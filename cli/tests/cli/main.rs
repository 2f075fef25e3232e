//! The `rolegate` binary as a user meets it: one test binary, a module per concern.

// Test code: a panic is how a failure is reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod admin;
mod attacks;
mod commands;
mod concurrency;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ACME: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/policies/acme.json"
);

fn rolegate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolegate"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2, exactly one line on stderr that names `needle`, and no panic.
fn assert_bad_input(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("rolegate: "), "{err}");
    assert!(err.contains(needle), "{err:?} does not name {needle:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

/// Exit 3 (refused by a rule, not bad input), exactly one line naming `needle`, no panic.
fn assert_refused(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(3), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("rolegate: "), "{err}");
    assert!(err.contains(needle), "{err:?} does not name {needle:?}");
}

/// Exit 2 with every broken rule of a policy: one line each, one of them naming `needle`.
fn assert_broken_rules(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.lines().all(|l| l.starts_with("rolegate: ")), "{err}");
    assert!(err.contains(needle), "{err:?} does not name {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

fn acme() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(ACME).unwrap()).unwrap()
}

fn id(policy: &serde_json::Value, list: &str, i: usize) -> String {
    policy[list][i]["id"].as_str().unwrap().to_string()
}

struct Workdir(tempfile::TempDir);

impl Workdir {
    fn new() -> Workdir {
        Workdir(tempfile::tempdir().unwrap())
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
    fn write_json(&self, name: &str, value: &serde_json::Value) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, serde_json::to_string_pretty(value).unwrap()).unwrap();
        p
    }
    fn compile(&self, policy: &Path) -> PathBuf {
        let out = self.path("acme.rgs");
        let o = rolegate(&["compile", s(policy), "-o", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
