//! `affil generate --out DIR --scale municipal|regional|national [--seed N]`.

pub use crate::generate::{generate as run, GenerateOptions, GenerateSummary, Scale};
