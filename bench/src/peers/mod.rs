//! The peers rolegate is measured against in Rust, each given the organization in its own
//! idiom (see each module for the modelling).

mod casbin;
mod cedar;

pub use self::casbin::{CasbinPeer, MODEL as CASBIN_MODEL, rules as casbin_rules};
pub use self::cedar::{CedarPeer, entities_json as cedar_entities, policy_text as cedar_policies};
