//! Everything that can go wrong in the host. Callers deny on any of them.

use std::path::PathBuf;

use rolegate_core::ffi::Code;

/// The cause of an error from wasmtime or the file system, kept for [`std::error::Error::source`].
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a host operation failed. Every variant is a reason to deny; none is a panic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The guest module is not valid WebAssembly, or does not compile.
    #[error("the guest module does not compile")]
    Compile(#[source] Cause),
    /// The guest module file could not be read.
    #[error("reading the guest module `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The guest speaks another ABI version.
    #[error("the guest speaks ABI version `{found}`; this host speaks `{expected}`")]
    AbiVersion {
        /// What the guest reports.
        found: i32,
        /// What this host speaks.
        expected: i32,
    },
    /// The guest lacks an export, or exports it with another signature.
    #[error("the guest has no export `{0}` with the ABI's signature")]
    MissingExport(&'static str),
    /// Creating a guest instance failed.
    #[error("instantiating the guest failed")]
    Instantiate(#[source] Cause),
    /// The compiled-module cache could not be set up.
    #[error("the compiled-module cache at `{path}` could not be set up")]
    Cache {
        /// The cache directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: Cause,
    },
    /// The guest refused the snapshot or delta bytes; the code says why
    /// (`snapshot-checksum-mismatch`, `bad-signature`, `stale-revision`, …).
    #[error("the snapshot was refused: `{code}`")]
    Snapshot {
        /// The stable code.
        code: Code,
    },
    /// A query named something the snapshot does not have (`unknown-user`, …).
    #[error("the query was refused: `{code}`")]
    Query {
        /// The stable code.
        code: Code,
    },
    /// The call ran past its fuel budget (an endless loop, or a limit set too low).
    #[error("the guest ran out of fuel: the call exceeded its budget of {fuel} units")]
    OutOfFuel {
        /// The budget it had.
        fuel: u64,
    },
    /// The guest tried to grow its memory past the cap.
    #[error("the guest tried to grow its memory past the cap of {bytes} bytes")]
    MemoryLimit {
        /// The cap.
        bytes: usize,
    },
    /// The guest trapped.
    #[error("the guest trapped")]
    Trap(#[source] Cause),
    /// The guest answered something that is not a valid answer.
    #[error("the guest answered garbage: {0}")]
    BadResponse(&'static str),
    /// A request could not be encoded (it is larger than the guest can take).
    #[error("the request could not be passed to the guest: {0}")]
    Request(&'static str),
}

impl HostError {
    /// A short, stable code: the core's [`Code`] text for refusals, the host's own for the
    /// rest.
    pub fn code(&self) -> &'static str {
        match self {
            HostError::Compile(_) | HostError::Read { .. } => "compile",
            HostError::AbiVersion { .. } => "abi-version",
            HostError::MissingExport(_) => "missing-export",
            HostError::Instantiate(_) => "instantiate",
            HostError::Cache { .. } => "cache",
            HostError::Snapshot { code } | HostError::Query { code } => code.as_str(),
            HostError::OutOfFuel { .. } => "out-of-fuel",
            HostError::MemoryLimit { .. } => "memory-limit",
            HostError::Trap(_) => "trap",
            HostError::BadResponse(_) => "bad-response",
            HostError::Request(_) => "request",
        }
    }

    /// Whether the instance that produced this error can no longer be trusted: after a trap,
    /// a fuel or memory overrun or a garbage answer it is discarded, never reused.
    pub(crate) fn poisons_instance(&self) -> bool {
        matches!(
            self,
            HostError::OutOfFuel { .. }
                | HostError::MemoryLimit { .. }
                | HostError::Trap(_)
                | HostError::BadResponse(_)
                | HostError::Instantiate(_)
        )
    }
}
