//! `rolegate compile` and `rolegate validate`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use rolegate_core::{CompileOptions, Snapshot, compile as compile_policy, validate as rules};

use crate::clock::now;
use crate::failure::{BAD_INPUT, Failure};
use crate::files::{read_policy, write_atomic};
use crate::output::print;

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The policy, as JSON.
    policy: PathBuf,
    /// Where to write the snapshot.
    #[arg(short, long)]
    output: PathBuf,
    /// The revision to stamp [default: the policy's `revision`].
    #[arg(long)]
    revision: Option<u64>,
    /// Seconds since the Unix epoch to stamp [default: now].
    #[arg(long)]
    issued_at: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The policy, as JSON.
    policy: PathBuf,
}

/// Every broken rule on stderr, one line each: the status to exit with, or `None` when the
/// policy breaks none.
fn report_broken_rules(path: &std::path::Path, policy: &rolegate_core::Policy) -> Option<ExitCode> {
    let problems = rules(policy);
    for p in &problems {
        eprintln!("rolegate: {}: {p}", path.display());
    }
    (!problems.is_empty()).then(|| ExitCode::from(BAD_INPUT))
}

pub fn compile(args: &CompileArgs) -> Result<ExitCode, Failure> {
    let policy = read_policy(&args.policy)?;
    if let Some(code) = report_broken_rules(&args.policy, &policy) {
        return Ok(code);
    }
    let options = CompileOptions {
        revision: args.revision.unwrap_or(policy.revision),
        issued_at: args.issued_at.unwrap_or_else(now),
    };
    let bytes = compile_policy(&policy, &options).map_err(|e| Failure::in_file(&args.policy, e))?;
    let meta = Snapshot::peek(&bytes).map_err(|e| Failure::in_file(&args.output, e))?;
    write_atomic(&args.output, &bytes)?;
    print(&format!(
        "compiled {} → {}: organization {}, revision {}, {} bytes\n",
        args.policy.display(),
        args.output.display(),
        meta.organization,
        meta.revision,
        bytes.len()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn validate(args: &ValidateArgs) -> Result<ExitCode, Failure> {
    let policy = read_policy(&args.policy)?;
    if let Some(code) = report_broken_rules(&args.policy, &policy) {
        return Ok(code);
    }
    print(&format!("{}: ok\n", args.policy.display()));
    Ok(ExitCode::SUCCESS)
}
