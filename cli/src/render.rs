//! Text rendering of decisions and lists, naming things by display name where the snapshot
//! has one and by id otherwise.

use std::fmt::Write;

use rolegate_core::{Decision, Explanation, Reason, ResourceRef, Snapshot};

/// A scope's display name, or its id when unknown.
pub fn scope_name<'a>(snapshot: &'a Snapshot, id: &'a str) -> &'a str {
    snapshot.scope(id).map_or(id, |s| s.name)
}

/// A role's display name, or its id when unknown.
pub fn role_name<'a>(snapshot: &'a Snapshot, id: &'a str) -> &'a str {
    snapshot.role(id).map_or(id, |r| r.name)
}

/// A user's display name, or their id when unknown.
pub fn user_name<'a>(snapshot: &'a Snapshot, id: &'a str) -> &'a str {
    snapshot.user(id).map_or(id, |u| u.name)
}

/// A resource by display name where the snapshot has one, else as TYPE:ID.
pub fn resource(snapshot: &Snapshot, r: &ResourceRef<'_>) -> String {
    snapshot
        .resources()
        .find(|x| x.resource_type == r.resource_type && x.id == r.id && !x.name.is_empty())
        .map_or_else(
            || format!("{}:{}", r.resource_type, r.id),
            |x| x.name.to_string(),
        )
}

/// "allowed by …" / "denied: …", in words.
pub fn reason(snapshot: &Snapshot, reason: &Reason<'_>) -> String {
    match reason {
        Reason::Granted(g) => {
            let mut s = format!(
                "{} at {}",
                role_name(snapshot, g.role),
                scope_name(snapshot, g.scope)
            );
            if let Some(r) = &g.resource {
                let _ = write!(s, " on {}", resource(snapshot, r));
            }
            s
        }
        Reason::UnknownPermission => "unknown permission".into(),
        Reason::UnknownScope => "unknown scope".into(),
        Reason::UnknownUser => "unknown user".into(),
        Reason::UserInactive => "the user is deactivated".into(),
        Reason::NoMatchingAssignment => "no assignment grants it here".into(),
    }
}

pub fn verdict(decision: &Decision<'_>) -> &'static str {
    if decision.allowed { "ALLOW" } else { "DENY" }
}

/// `check`'s text output.
pub fn decision(snapshot: &Snapshot, decision: &Decision<'_>) -> String {
    let mut s = format!("{} (revision {})\n", verdict(decision), decision.revision);
    match &decision.reason {
        Reason::Granted(g) => {
            let _ = writeln!(
                s,
                "  granted by assignment {}: {} at {}",
                g.assignment,
                role_name(snapshot, g.role),
                scope_name(snapshot, g.scope)
            );
        }
        other => {
            let _ = writeln!(s, "  {} ({})", reason(snapshot, other), other.kind());
        }
    }
    s
}

/// `explain`'s text output.
pub fn explanation(snapshot: &Snapshot, e: &Explanation<'_>) -> String {
    let mut s = decision(snapshot, &e.decision);
    let grant_line = |s: &mut String, g: &rolegate_core::Grant<'_>| {
        let _ = write!(
            s,
            "    {} — {} at {}",
            g.assignment,
            role_name(snapshot, g.role),
            scope_name(snapshot, g.scope)
        );
        if let Some(r) = &g.resource {
            let _ = write!(s, " on {}", resource(snapshot, r));
        }
        s.push('\n');
    };
    if !e.granting.is_empty() {
        s.push_str("  every assignment that grants it:\n");
        for g in &e.granting {
            grant_line(&mut s, g);
        }
    }
    if !e.elsewhere.is_empty() {
        s.push_str("  assignments with this permission that do not reach here:\n");
        for g in &e.elsewhere {
            grant_line(&mut s, g);
        }
    }
    if !e.would_grant.is_empty() {
        s.push_str("  would be granted by:\n");
        for o in &e.would_grant {
            let _ = write!(
                s,
                "    {} ({}) at {} {}",
                o.name,
                o.role,
                o.level,
                scope_name(snapshot, o.scope)
            );
            if let Some(r) = &o.resource {
                let _ = write!(s, " on {}", resource(snapshot, r));
            }
            s.push('\n');
        }
    }
    s
}

/// Lays out rows as a table with a header and a rule, columns padded to fit.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (cell, w) in cells.zip(&widths) {
            let _ = write!(s, "{cell:<w$}  ");
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut header.iter().copied());
    out.push_str(&line(
        &mut widths
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    ));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}
