//! `affil import eis|egrul PATH... --out DATA_DIR`: the documents analysts have, as the input
//! files of a check (see [`crate::import`]).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::identifiers::inn_valid;
use crate::import::{bods, egrul, eis, ocds, ImportOptions, ImportReport};

/// Which documents to import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// 44-FZ notifications and protocols of the unified procurement system (ЕИС).
    Eis,
    /// Register extracts of the tax service (ЕГРЮЛ, ЕГРИП).
    Egrul,
    /// Open Contracting (OCDS) release or record packages, JSON.
    Ocds,
    /// Beneficial Ownership Data Standard (BODS 0.2 to 0.4) statements, JSON.
    Bods,
}

/// What to import, and where.
#[derive(Clone, Debug)]
pub struct ImportArgs {
    /// The documents' kind.
    pub source: Source,
    /// XML files, folders, ZIP archives.
    pub paths: Vec<PathBuf>,
    /// The data directory written (merged into when it has files already).
    pub out: PathBuf,
    /// Customer INN for purchases whose documents name none.
    pub customer_inn: Option<String>,
}

/// Runs the import.
pub fn run(args: &ImportArgs) -> Result<ImportReport> {
    if let Some(inn) = &args.customer_inn {
        if !inn_valid(inn) {
            return Err(Error::Option(format!(
                "--customer-inn `{inn}` is not a valid INN (its checksum fails)"
            )));
        }
        if args.source != Source::Eis {
            return Err(Error::Option(
                "--customer-inn applies to `affil import eis` only".into(),
            ));
        }
    }
    let options = ImportOptions {
        customer_inn: args.customer_inn.clone(),
    };
    match args.source {
        Source::Eis => eis::import(&args.paths, &args.out, &options),
        Source::Egrul => egrul::import(&args.paths, &args.out, &options),
        Source::Ocds => ocds::import(&args.paths, &args.out, &options),
        Source::Bods => bods::import(&args.paths, &args.out, &options),
    }
}
