//! `rolegate demo`: the embedded Acme organization (the same file as
//! `examples/policies/acme.json`) and a dozen questions that show the model's rules.

use std::process::ExitCode;

use clap::Args;
use rolegate_core::{CompileOptions, Request, ResourceRef, Snapshot, compile};
use serde::Serialize;

use crate::args::Format;
use crate::failure::Failure;
use crate::files::parse_policy;
use crate::output::{print, print_json};
use crate::render;

/// The demo organization's policy.
pub const ACME: &str = include_str!("../../../examples/policies/acme.json");

/// One demo question: who (by email), what, where (by scope name), on which billing group
/// (by name), and what it shows.
struct Question {
    email: &'static str,
    permission: &'static str,
    scope: &'static str,
    billing_group: Option<&'static str>,
    shows: &'static str,
}

const fn q(
    email: &'static str,
    permission: &'static str,
    scope: &'static str,
    shows: &'static str,
) -> Question {
    Question {
        email,
        permission,
        scope,
        billing_group: None,
        shows,
    }
}

const QUESTIONS: &[Question] = &[
    q(
        "olivia@acme.example",
        "iam/role-assignments/create",
        "Acme Corp",
        "organization owner manages assignments",
    ),
    q(
        "adam@acme.example",
        "iam/ownership/transfer",
        "Acme Corp",
        "a role's deny removes from its own allow",
    ),
    q(
        "paul@acme.example",
        "voice/calls/create",
        "Production EU",
        "an account role reaches its subaccounts",
    ),
    q(
        "paul@acme.example",
        "messaging/messages/send",
        "Marketing",
        "never sideways to another account",
    ),
    q(
        "dana@acme.example",
        "studio/flows/update",
        "Production EU",
        "built-in role at a subaccount",
    ),
    q(
        "dana@acme.example",
        "studio/flows/update",
        "Production",
        "never upward from a subaccount",
    ),
    q(
        "sam@acme.example",
        "support/tickets/create",
        "Production US",
        "general role, inherited",
    ),
    q(
        "nora@acme.example",
        "messaging/services/read",
        "Staging",
        "built-in role at the organization",
    ),
    q(
        "nora@acme.example",
        "phone-numbers/numbers/buy",
        "Production US",
        "an editor cannot buy numbers",
    ),
    Question {
        billing_group: Some("EMEA billing"),
        ..q(
            "gary@acme.example",
            "billing/invoices/read",
            "Acme Corp",
            "resource-based role on its billing group",
        )
    },
    Question {
        billing_group: Some("Americas billing"),
        ..q(
            "gary@acme.example",
            "billing/billing-groups/manage",
            "Acme Corp",
            "a viewer cannot manage",
        )
    },
    q(
        "gary@acme.example",
        "billing/invoices/read",
        "Acme Corp",
        "resource roles need the resource named",
    ),
    q(
        "cora@acme.example",
        "campaigns/campaigns/launch",
        "Marketing Campaigns",
        "custom role with custom permissions",
    ),
    q(
        "cora@acme.example",
        "campaigns/audiences/manage",
        "Marketing Campaigns",
        "custom role's deny",
    ),
    q(
        "bella@acme.example",
        "billing/invoice/read",
        "Acme Corp",
        "a typo is its own reason, not \"no access\"",
    ),
];

/// The demo snapshot's bytes, compiled from the embedded policy.
pub fn snapshot_bytes() -> Result<Vec<u8>, Failure> {
    let policy =
        parse_policy(ACME).map_err(|e| Failure::new(format!("embedded demo policy: {e}")))?;
    compile(
        &policy,
        &CompileOptions {
            revision: policy.revision,
            issued_at: 0,
        },
    )
    .map_err(|e| Failure::new(format!("embedded demo policy: {e}")))
}

#[derive(Serialize)]
struct Answer<'s> {
    user: &'s str,
    permission: &'s str,
    scope: &'s str,
    resource: Option<ResourceRef<'s>>,
    decision: rolegate_core::Decision<'s>,
    /// The same question answered by the wasmtime guest (without feature `wasm-engine`:
    /// not asked).
    wasmtime: Option<serde_json::Value>,
    shows: &'s str,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    format: Format,
}

/// The wasmtime guest's answer to the same question, which must equal the core's.
#[cfg(feature = "wasm-engine")]
mod guest {
    use super::*;

    pub type Guest = rolegate_host::Authorizer;

    pub fn start(bytes: &[u8]) -> Result<Guest, Failure> {
        crate::guest::authorizer(bytes)
    }

    pub fn ask(
        guest: &Guest,
        request: &Request<'_>,
        native: &rolegate_core::Decision<'_>,
    ) -> Result<Option<serde_json::Value>, Failure> {
        let decision = guest
            .check(request)
            .map_err(|e| Failure::new(format!("wasmtime guest: {e}")))?;
        if decision != *native {
            return Err(Failure::new(format!(
                "the wasmtime guest and the native core disagree on {} {} {}",
                request.user, request.permission, request.scope
            )));
        }
        serde_json::to_value(&decision)
            .map(Some)
            .map_err(|e| Failure::new(e.to_string()))
    }
}

#[cfg(not(feature = "wasm-engine"))]
mod guest {
    use super::*;

    pub struct Guest;

    pub fn start(_: &[u8]) -> Result<Guest, Failure> {
        Ok(Guest)
    }

    pub fn ask(
        _: &Guest,
        _: &Request<'_>,
        _: &rolegate_core::Decision<'_>,
    ) -> Result<Option<serde_json::Value>, Failure> {
        Ok(None)
    }
}

pub fn run(args: &DemoArgs) -> Result<ExitCode, Failure> {
    let json = args.format.json;
    let bytes = snapshot_bytes()?;
    let snapshot = Snapshot::decode(&bytes)
        .map_err(|e| Failure::new(format!("embedded demo snapshot: {e}")))?;
    let guest = guest::start(&bytes)?;
    let find_user = |email: &str| snapshot.users().find(|u| u.email == email).map(|u| u.id);
    let find_scope = |name: &str| snapshot.scopes().find(|s| s.name == name).map(|s| s.id);
    let find_group = |name: &str| {
        snapshot
            .resources()
            .find(|r| r.name == name)
            .map(|r| ResourceRef {
                resource_type: r.resource_type,
                id: r.id,
            })
    };
    let mut answers = Vec::with_capacity(QUESTIONS.len());
    for question in QUESTIONS {
        let missing = |what: &str| Failure::new(format!("embedded demo policy has no {what}"));
        let user = find_user(question.email).ok_or_else(|| missing(question.email))?;
        let scope = find_scope(question.scope).ok_or_else(|| missing(question.scope))?;
        let resource = match question.billing_group {
            Some(name) => Some(find_group(name).ok_or_else(|| missing(name))?),
            None => None,
        };
        let request = Request {
            user,
            permission: question.permission,
            scope,
            resource,
        };
        let decision = snapshot.check(&request);
        let wasmtime = guest::ask(&guest, &request, &decision)?;
        answers.push(Answer {
            user,
            permission: question.permission,
            scope,
            resource,
            decision,
            wasmtime,
            shows: question.shows,
        });
    }
    if json {
        print_json(&answers)?;
        return Ok(ExitCode::SUCCESS);
    }
    let stats = snapshot.stats();
    let mut text = format!(
        "rolegate demo: {} ({}), revision {}\n{} accounts, {} subaccounts, {} users, {} roles, {} assignments\n\n",
        snapshot.organization_name(),
        snapshot.organization(),
        snapshot.revision(),
        stats.accounts,
        stats.subaccounts,
        stats.users,
        stats.roles,
        stats.assignments,
    );
    let rows: Vec<Vec<String>> = answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut scope = render::scope_name(&snapshot, a.scope).to_string();
            if let Some(r) = &a.resource {
                let group = snapshot
                    .resources()
                    .find(|x| x.id == r.id)
                    .map_or(r.id, |x| x.name);
                scope = format!("{scope} / {group}");
            }
            vec![
                (i + 1).to_string(),
                render::user_name(&snapshot, a.user).to_string(),
                a.permission.to_string(),
                scope,
                render::verdict(&a.decision).to_string(),
                match a.wasmtime.as_ref().map(|d| d["allowed"].as_bool()) {
                    Some(Some(true)) => "ALLOW",
                    Some(_) => "DENY",
                    None => "—",
                }
                .to_string(),
                render::reason(&snapshot, &a.decision.reason),
                a.shows.to_string(),
            ]
        })
        .collect();
    text.push_str(&render::table(
        &[
            "#",
            "user",
            "permission",
            "scope",
            "native",
            "wasmtime",
            "reason",
            "shows",
        ],
        &rows,
    ));
    text.push_str(&format!(
        "\nnative: the core in this process; wasmtime: the same core as a sandboxed wasm guest \
         (rolegate-host). They agree on all {} questions, reasons included.\n",
        answers.len()
    ));
    let paul = find_user("paul@acme.example").unwrap_or("US…");
    let marketing = find_scope("Marketing").unwrap_or("AC…");
    text.push_str(&format!(
        "\nThe same organization is examples/policies/acme.json. Ask it yourself:\n  \
         rolegate compile examples/policies/acme.json -o acme.rgs\n  \
         rolegate explain --snapshot acme.rgs --user {paul} --permission messaging/messages/send --scope {marketing}\n"
    ));
    print(&text);
    Ok(ExitCode::SUCCESS)
}
