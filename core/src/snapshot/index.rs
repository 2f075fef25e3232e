//! Hash indexes from ids to dense indexes. The table stores only `u32` indexes; the ids
//! themselves stay in the snapshot's text arena, so an index costs a few bytes per entry.

use core::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

// FxHash: a handful of instructions per 8 bytes, and small code in the wasm builds. It is
// deterministic and needs no entropy source (the core has no OS); keys come from the
// snapshot's author, who can only slow down their own lookups.

/// An index from string keys to `u32` positions.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<u32>,
}

#[inline]
pub(crate) fn hash_key<K: core::hash::Hash + ?Sized>(key: &K) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl IdIndex {
    pub(crate) fn with_capacity(n: usize) -> IdIndex {
        IdIndex {
            table: HashTable::with_capacity(n),
        }
    }

    /// Records that `key` (whose hash is `hash`) is at `position`. Returns the position
    /// already holding an equal key instead, leaving the index unchanged.
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        position: u32,
        same_key: impl Fn(u32) -> bool,
        rehash: impl Fn(&u32) -> u64,
    ) -> Result<(), u32> {
        if let Some(&existing) = self.table.find(hash, |&p| same_key(p)) {
            return Err(existing);
        }
        self.table.insert_unique(hash, position, rehash);
        Ok(())
    }

    /// The position of the key with this hash for which `same_key` holds.
    #[inline]
    pub(crate) fn find(&self, hash: u64, same_key: impl Fn(u32) -> bool) -> Option<u32> {
        self.table.find(hash, |&p| same_key(p)).copied()
    }

    pub(crate) fn bytes(&self) -> usize {
        // Buckets of 4 bytes plus one control byte each.
        self.table.capacity() * 5
    }
}

/// A hash map with the same fixed, fast hasher, for the compiler's lookups.
pub(crate) type Map<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

pub(crate) fn new_map<K, V>(capacity: usize) -> Map<K, V> {
    Map::with_capacity_and_hasher(capacity, FxBuildHasher)
}
