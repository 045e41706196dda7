//! The `affil` command line: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use affil::cmd::{check, link, validate};

/// Finds affiliations between procurement participants and the officials who run them.
#[derive(Parser, Debug)]
#[command(name = "affil", version, about)]
struct Cli {
    /// Worker threads (default: all cores). Output is the same for any number.
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the yearly check on a data directory and write the cases.
    Check {
        /// Directory with officials.csv, procurements.csv, participants.csv, commissions.csv, ...
        data_dir: PathBuf,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Comma-separated rule codes to run (default: all).
        #[arg(long, value_delimiter = ',')]
        rules: Option<Vec<String>>,
    },
    /// Link two person lists with the matcher and write left_id,right_id,score.
    Link {
        /// Left list (id, full_name, birth_date, inn, ...).
        left: PathBuf,
        /// Right list, same schema.
        right: PathBuf,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Report every problem in a data directory; changes nothing.
    Validate {
        /// Directory to validate.
        data_dir: PathBuf,
    },
}

fn report_error(e: &affil::Error) -> ExitCode {
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        eprintln!("  caused by: {s}");
        source = s.source();
    }
    if e.is_input_error() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
        {
            eprintln!("error: cannot start {n} threads: {e}");
            return ExitCode::from(1);
        }
    }
    match cli.command {
        Command::Check {
            data_dir,
            out,
            rules,
        } => {
            match check::run(&check::CheckOptions {
                data_dir,
                out_dir: out,
                rules,
            }) {
                Ok(summary) => {
                    eprintln!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e),
            }
        }
        Command::Link { left, right, out } => {
            match link::run(&link::LinkOptions {
                left,
                right,
                out: out.clone(),
            }) {
                Ok((n, warnings)) => {
                    for w in &warnings.0 {
                        eprintln!(
                            "warning: {}:{} [{}]: {}",
                            w.file, w.line, w.column, w.problem
                        );
                    }
                    eprintln!("{n} pair(s) written to {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e),
            }
        }
        Command::Validate { data_dir } => match validate::run(&data_dir) {
            Ok(v) => {
                println!("{v}");
                ExitCode::SUCCESS
            }
            Err(e) => report_error(&e),
        },
    }
}
