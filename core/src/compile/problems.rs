//! Collecting broken rules while planning: every one is reported, none stops the plan.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::{CompileError, Item};
use crate::ids::{check_id, clip, text_fits};
use crate::snapshot::index::Map;

#[derive(Default)]
pub(super) struct Problems(Vec<CompileError>);

impl Problems {
    /// The first broken rule, if any.
    pub(super) fn into_first(self) -> Option<CompileError> {
        self.0.into_iter().next()
    }

    /// Every broken rule, in policy order.
    pub(super) fn into_all(self) -> Vec<CompileError> {
        self.0
    }

    pub(super) fn push(&mut self, e: CompileError) {
        self.0.push(e);
    }

    pub(super) fn id(&mut self, item: Item, id: &str) -> bool {
        match check_id(id) {
            Ok(()) => true,
            Err(problem) => {
                self.push(CompileError::InvalidId {
                    item,
                    id: clip(id),
                    problem,
                });
                false
            }
        }
    }

    pub(super) fn text(&mut self, item: Item, id: &str, field: &'static str, text: &str) {
        if !text_fits(text) {
            self.push(CompileError::TextTooLong {
                item,
                id: clip(id),
                field,
            });
        }
    }

    pub(super) fn limit(&mut self, what: &'static str, count: usize, max: usize) {
        if count > max {
            self.push(CompileError::TooMany { what, count, max });
        }
    }
}

/// Registers `id` in `map` at `value`, reporting a duplicate.
pub(super) fn register<'p, V>(
    map: &mut Map<&'p str, V>,
    id: &'p str,
    value: V,
    item: Item,
    problems: &mut Problems,
) -> bool {
    // One lookup, not a lookup and then an insert: at L this runs 600,000 times.
    match map.entry(id) {
        hashbrown::hash_map::Entry::Occupied(_) => {
            problems.push(CompileError::DuplicateId {
                item,
                id: id.to_string(),
            });
            false
        }
        hashbrown::hash_map::Entry::Vacant(slot) => {
            slot.insert(value);
            true
        }
    }
}
