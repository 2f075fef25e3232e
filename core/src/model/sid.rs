//! Twilio-style SIDs for roles. Twilio publishes the SIDs of four general roles
//! (Administrator `IX…102`, Developer `…103`, Billing Manager `…104`, Support `…105`); every
//! other role — the rest of the default catalog and custom roles — gets a SID derived from
//! its id, the same in every organization and every build, so scripts can keep them.

use alloc::string::String;

use sha2::{Digest, Sha256};

/// The SIDs Twilio publishes, by rolegate role id.
const PUBLISHED: &[(&str, &str)] = &[
    ("administrator", "IX00000000000000000000000000000102"),
    ("developer", "IX00000000000000000000000000000103"),
    ("billing-manager", "IX00000000000000000000000000000104"),
    ("support", "IX00000000000000000000000000000105"),
];

/// The role's SID: `IX` and 32 hex digits.
pub fn role_sid(role_id: &str) -> String {
    if let Some((_, sid)) = PUBLISHED.iter().find(|(id, _)| *id == role_id) {
        return String::from(*sid);
    }
    let digest = Sha256::new()
        .chain_update(b"rolegate role sid\0")
        .chain_update(role_id.as_bytes())
        .finalize();
    let mut sid = String::from("IX");
    for b in digest.iter().take(16) {
        for nibble in [b >> 4, b & 0xf] {
            sid.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    sid
}

#[cfg(test)]
mod tests {
    use super::role_sid;
    use crate::catalog::default_role_ids;

    #[test]
    fn published_sids_are_twilios_and_the_rest_are_stable_and_distinct() {
        assert_eq!(
            role_sid("administrator"),
            "IX00000000000000000000000000000102"
        );
        assert_eq!(role_sid("support"), "IX00000000000000000000000000000105");
        let sids: alloc::vec::Vec<_> = default_role_ids().map(role_sid).collect();
        for (i, sid) in sids.iter().enumerate() {
            assert_eq!(sid.len(), 34);
            assert!(sid.starts_with("IX"));
            assert!(
                sid[2..]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert!(!sids[..i].contains(sid), "{sid}");
        }
        // Pinned: a changed derivation would break every script that kept a SID.
        assert_eq!(role_sid("owner"), "IX36b14a496834c168737d08d0a8065c00");
        assert_eq!(
            role_sid("studio-admin"),
            "IXd26a233f9b13788085a6c43c8af1c32a"
        );
    }
}
