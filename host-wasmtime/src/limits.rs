//! Per-call resource limits for guest instances.

/// Limits applied to every guest call. Fuel counts WebAssembly operations; the memory cap
/// bounds each instance's linear memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for one `can`/`check`/query call. Default 10,000,000 — a check uses a few
    /// thousand; the rest is headroom for large `who_can` queries.
    pub fuel_per_call: u64,
    /// Extra fuel per request of a batch. Default 100,000.
    pub fuel_per_batch_request: u64,
    /// Fuel per snapshot byte when loading (decoding costs a few hundred operations per
    /// byte), on top of `fuel_per_call`. Default 2,000.
    pub fuel_per_snapshot_byte: u64,
    /// Largest linear memory of one instance, in bytes. Default 1 GiB: a snapshot of
    /// 500,000 assignments decodes in well under half of that.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel_per_call: 10_000_000,
            fuel_per_batch_request: 100_000,
            fuel_per_snapshot_byte: 2_000,
            memory_bytes: 1 << 30,
        }
    }
}
