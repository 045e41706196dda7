//! affil finds affiliations between procurement participants and the officials who run
//! those procurements, under Federal Law 44-FZ art. 31 p.1 i.9.
//!
//! The pipeline runs one way: [`load`] -> [`normalize`] -> [`resolve`] -> [`graph`] ->
//! [`rules`] -> [`report`]; [`pipeline::analyse`] wires the stages, [`cmd`] holds the
//! subcommands; [`import`] turns procurement and register XML into the input files.

pub mod cmd;
pub mod error;
pub mod generate;
pub mod graph;
pub mod identifiers;
pub mod import;
pub mod intern;
pub mod load;
pub mod memory;
pub mod meter;
pub mod model;
pub mod normalize;
pub mod packed;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod resolve;
pub mod rng;
pub mod rules;
pub mod values;

pub use error::{Error, Result};
