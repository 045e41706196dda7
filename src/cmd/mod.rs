//! The subcommands, one file each.

pub mod check;
pub mod eval;
pub mod generate;
pub mod import;
pub mod link;
pub mod validate;
