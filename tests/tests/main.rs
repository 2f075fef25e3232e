//! rolegate-tests: the engine against the reference, its properties, its wire format and its
//! rules. One binary; one module per concern.

mod catalog_doc;
mod common;
mod corruption;
mod differential;
mod golden;
mod properties;
mod rules;
