//! Planting the truth and the decoys, one file per rule as in `src/rules/`.

mod bidders;
mod coi_44fz;
mod contact;
mod employee;
mod kin_ext;
mod undeclared;
