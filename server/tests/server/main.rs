//! rolegate-server's integration tests: real servers on 127.0.0.1 (in-process, or the
//! `rolegate-server` binary as a child for crash tests) over SQLite files and a throwaway
//! PostgreSQL cluster, driven by a real HTTP client.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod attacks;
mod concurrency;
mod conformance;
mod crash;
mod enforcement;
mod export;
mod faults;
mod flows;
mod harness;
mod publishing;
mod replicas;
mod rules;
mod twilio_api;
mod twilio_sdk;
