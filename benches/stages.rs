//! Criterion benchmarks of the check's stages one by one on generated data: loading (and the
//! MB/s it reads at), normalising, resolving.
//!
//! `cargo bench --bench stages` generates its data first (municipal and regional, seed 7, in a
//! temporary folder, about 15 s). `AFFIL_BENCH_DIR=DIR` benches a folder of your own instead of
//! the regional data (a real registry export, say). Profile one stage with
//! `cargo bench --bench stages -- --profile-time 20 load/regional`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use affil::generate::{noise, GenerateOptions, Scale};

// The allocator of the `affil` binary, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generated data of `scale` in `root/<scale>` (kept for the run of the benches).
fn generated(root: &Path, scale: Scale, name: &str) -> PathBuf {
    let out = root.join(name);
    affil::cmd::generate::run(&GenerateOptions {
        out: out.clone(),
        scale,
        seed: 7,
        noise: noise::STANDARD,
        chunks: None,
    })
    .expect("generated data");
    out
}

/// The data sets the benches run on: (name, folder, bytes of the input files).
fn datasets(root: &Path) -> Vec<(String, PathBuf, u64)> {
    let mut sets = vec![(
        "municipal".to_owned(),
        generated(root, Scale::Municipal, "m"),
    )];
    match std::env::var_os("AFFIL_BENCH_DIR") {
        Some(dir) => sets.push(("own".to_owned(), PathBuf::from(dir))),
        None => sets.push(("regional".to_owned(), generated(root, Scale::Regional, "r"))),
    }
    sets.into_iter()
        .map(|(name, dir)| {
            let bytes = affil::load::input_bytes(&dir);
            (name, dir, bytes)
        })
        .collect()
}

fn bench_stages(c: &mut Criterion) {
    // As the binary runs (see affil::memory).
    affil::memory::no_transparent_huge_pages();
    let root = tempfile::tempdir().expect("temp dir");
    let sets = datasets(root.path());

    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    for (name, dir, bytes) in &sets {
        // Throughput in bytes: criterion prints the MB/s of CSV read.
        g.throughput(Throughput::Bytes(*bytes));
        g.bench_with_input(BenchmarkId::from_parameter(name), dir, |b, dir| {
            b.iter(|| affil::load::load(dir).expect("load").data.officials.len())
        });
    }
    g.finish();

    let loaded: Vec<_> = sets
        .iter()
        .map(|(name, dir, _)| (name, affil::load::load(dir).expect("load")))
        .collect();

    let mut g = c.benchmark_group("normalize");
    g.sample_size(10);
    for (name, l) in &loaded {
        g.throughput(Throughput::Elements(
            (l.data.officials.len() + l.data.relatives.len() + l.data.roles.len()) as u64,
        ));
        g.bench_with_input(BenchmarkId::from_parameter(name), &l.data, |b, data| {
            b.iter(|| affil::normalize::normalize(data).list.len())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("resolve");
    g.sample_size(10);
    for (name, l) in &loaded {
        let mentions = affil::normalize::normalize(&l.data);
        g.throughput(Throughput::Elements(mentions.list.len() as u64));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut w = affil::load::Warnings::default();
                affil::resolve::resolve(&l.data, &mentions, &mut w).persons
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_stages);
criterion_main!(benches);
