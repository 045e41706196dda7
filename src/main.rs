//! The `affil` command line: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use affil::cmd::{check, eval, generate, import, link, validate};

// A run makes tens of millions of small allocations from two threads; mimalloc serves them
// markedly faster than the system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// Print wall time, CPU time and peak memory per stage, and write them to OUT/timings.csv.
        #[arg(long)]
        timings: bool,
        /// An earlier run's output directory: each case is marked new or repeated (column
        /// status), and the earlier cases no longer found go to OUT/gone_cases.csv.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Decisions on earlier cases: a CSV with case_id, decision (confirmed, cleared,
        /// referred), comment, date; carried into the cases and the summary.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Language of the report texts (summary.md, report.html, cases.xlsx).
        #[arg(long, value_enum, default_value = "ru")]
        lang: affil::report::Lang,
        /// The department responsible for measure 2.2, for its row of the annual report
        /// (default: the one the plan names).
        #[arg(long)]
        department: Option<String>,
        /// The sheet to read from an input given as a workbook (officials.xlsx for
        /// officials.csv; default: its first sheet).
        #[arg(long)]
        sheet: Option<String>,
        /// Also write the affiliation graph: `graphml` writes OUT/graph.graphml (Gephi, yEd,
        /// networkx), `ftm` OUT/graph.ftm.json (FollowTheMoney entities, for Aleph).
        /// Comma-separated for several.
        #[arg(long, value_enum, value_delimiter = ',')]
        export: Vec<check::Export>,
        /// With --export: only the persons, companies and procurements the cases pass
        /// through, and the edges among them.
        #[arg(long, requires = "export")]
        cases_only: bool,
        /// Memory the run may use: 4G, 4096M, 1.5G (powers of 1024). A check that would need
        /// more (estimated from the size of the input) stops before reading, saying how much;
        /// one that passes it anyway stops as it does, with a message. Default: no limit.
        #[arg(long, value_parser = affil::memory::parse_size)]
        memory_limit: Option<u64>,
    },
    /// Link two person lists with the matcher and write left_id,right_id,score; with one
    /// list, find its duplicates (and write each record's cluster_id to OUT's
    /// `<stem>_clusters.csv`).
    Link {
        /// Left list (id, full_name, birth_date, inn, ...).
        left: PathBuf,
        /// Right list, same schema; without it, the duplicates within the left list.
        right: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
        /// Add a column `explanation`: each pair's weights in words (each field's level and
        /// weight, prior -> score).
        #[arg(long)]
        explain: bool,
        /// Estimate the weights from the lists and print them (with --model, save them there).
        #[arg(long)]
        train: bool,
        /// A model file (JSON): read its weights instead of estimating them; with --train,
        /// written.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Random pairs drawn to estimate how often two different people agree (the
        /// u-probabilities); default 20 per record of the lists, at most 300,000.
        #[arg(long, value_name = "N")]
        random_pairs: Option<usize>,
    },
    /// Report every problem in a data directory; changes nothing.
    Validate {
        /// Directory to validate.
        data_dir: PathBuf,
        /// The sheet to read from an input given as a workbook (default: its first sheet).
        #[arg(long)]
        sheet: Option<String>,
    },
    /// Generate a synthetic dataset with planted truth (truth.csv) and decoys (decoys.csv).
    Generate {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Size of the dataset.
        #[arg(long, value_enum, default_value = "municipal")]
        scale: generate::Scale,
        /// Seed: the same seed writes the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Noise mix: `standard` (developed against) or `heavy` (held out).
        #[arg(long, default_value = "standard", value_parser = ["standard", "heavy"])]
        noise: String,
        /// Number of chunks (municipalities) instead of the scale's.
        #[arg(long)]
        chunks: Option<usize>,
    },
    /// Turn downloaded documents into the input files of a check: `eis` reads 44-FZ
    /// notifications and protocols into procurements.csv, participants.csv and
    /// commissions.csv; `egrul` reads register extracts into companies.csv and
    /// company_roles.csv; `ocds` reads Open Contracting release or record packages (JSON)
    /// into procurements.csv and participants.csv; `bods` reads beneficial ownership
    /// statements (JSON) into companies.csv and company_roles.csv. Importing again into one
    /// folder merges by key.
    Import {
        /// The documents' kind.
        #[arg(value_enum)]
        source: import::Source,
        /// XML files, folders (searched recursively) and ZIP archives of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The data directory to write (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Customer INN for purchases whose documents name none (older protocols give only
        /// the publisher's registry number).
        #[arg(long)]
        customer_inn: Option<String>,
    },
    /// Score a run's cases.csv against a generated truth.csv (and decoys.csv).
    Eval {
        /// cases.csv of a check.
        cases: PathBuf,
        /// truth.csv of the generated dataset.
        truth: PathBuf,
        /// decoys.csv of the generated dataset.
        #[arg(long)]
        decoys: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
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

/// Prints a report on stdout; a closed pipe (`| head`) is not an error.
fn print_out(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Parses the arguments and runs the subcommand. Long on purpose: one arm per subcommand, each only moving clap's arguments into the
/// library's options.
fn main() -> ExitCode {
    affil::memory::no_transparent_huge_pages();
    let cli = Cli::parse();
    // Bars only for stages over a second, and only on a terminal (see affil::progress).
    affil::progress::enable(true);
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
            timings,
            previous,
            decisions,
            lang,
            department,
            sheet,
            export,
            cases_only,
            memory_limit,
        } => run_check(check::CheckOptions {
            data_dir,
            out_dir: out,
            rules,
            timings,
            previous,
            decisions,
            lang,
            department,
            load: affil::load::LoadOptions { sheet },
            export,
            cases_only,
            memory_limit,
        }),
        Command::Link {
            left,
            right,
            out,
            explain,
            train,
            model,
            random_pairs,
        } => run_link(link::LinkOptions {
            left,
            right,
            out,
            explain,
            train,
            model,
            random_pairs,
        }),
        Command::Generate {
            out,
            scale,
            seed,
            noise,
            chunks,
        } => {
            let noise = if noise == "heavy" {
                affil::generate::noise::HEAVY
            } else {
                affil::generate::noise::STANDARD
            };
            run_generate(generate::GenerateOptions {
                out,
                scale,
                seed,
                noise,
                chunks,
            })
        }
        Command::Eval {
            cases,
            truth,
            decoys,
            json,
        } => match eval::run(&eval::EvalOptions {
            cases,
            truth,
            decoys,
        }) {
            Ok(ev) => {
                let text = if json {
                    serde_json::to_string_pretty(&ev).unwrap_or_default()
                } else {
                    ev.to_string()
                };
                print_out(&text)
            }
            Err(e) => report_error(&e),
        },
        Command::Import {
            source,
            paths,
            out,
            customer_inn,
        } => match import::run(&import::ImportArgs {
            source,
            paths,
            out,
            customer_inn,
        }) {
            Ok(report) => {
                eprintln!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => report_error(&e),
        },
        Command::Validate { data_dir, sheet } => {
            match validate::run(&data_dir, &affil::load::LoadOptions { sheet }) {
                Ok(v) => print_out(&v.to_string()),
                Err(e) => report_error(&e),
            }
        }
    }
}

/// `affil check`: the run's summary (and `--timings`' table) on stderr.
fn run_check(opts: check::CheckOptions) -> ExitCode {
    match check::run(&opts) {
        Ok(summary) => {
            eprintln!("{summary}");
            if opts.timings {
                eprintln!("{}", affil::meter::table(&summary.timings));
                // So that the estimate --memory-limit stops on can be held against the peak.
                eprintln!(
                    "peak memory as --memory-limit estimates it: {:.0} MB",
                    summary.memory_estimate as f64 / 1_048_576.0
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => report_error(&e),
    }
}

/// `affil link`: warnings, the weights used (and with `--train` their table on stdout), and
/// what was written.
fn run_link(opts: link::LinkOptions) -> ExitCode {
    let dedup = opts.right.is_none();
    match link::run(&opts) {
        Ok((linked, warnings)) => {
            for w in &warnings.0 {
                eprintln!(
                    "warning: {}:{} [{}]: {}",
                    w.file, w.line, w.column, w.problem
                );
            }
            if opts.train {
                print!("{}", linked.model.table());
            }
            eprintln!("weights: {}", linked.model.source);
            eprintln!(
                "{} candidate pair(s) compared ({} block(s) of more than {} records left \
                 out); {} pair(s) written to {}",
                linked.candidates,
                linked.oversized_blocks,
                affil::resolve::blocking::BLOCK_CAP,
                linked.pairs.len(),
                opts.out.display()
            );
            if dedup {
                eprintln!(
                    "each record's cluster_id written to {}",
                    link::clusters_path(&opts.out).display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => report_error(&e),
    }
}

/// `affil generate`: each file's row count and the time taken.
fn run_generate(opts: generate::GenerateOptions) -> ExitCode {
    let start = std::time::Instant::now();
    match generate::run(&opts) {
        Ok(summary) => {
            for (file, rows) in &summary.rows {
                eprintln!("  {file:<20} {rows:>10} rows");
            }
            eprintln!(
                "generated in {:.1}s into {}",
                start.elapsed().as_secs_f64(),
                opts.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => report_error(&e),
    }
}
