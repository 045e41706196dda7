//! Criterion benchmarks of the hot stages: name normalisation, pair scoring, blocking,
//! ownership propagation, and the whole pipeline on the sample data.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use affil::normalize::{parse_name, Mention, MentionSource};
use affil::resolve::{candidate_pairs, compare, registry_prior};

const SURNAMES: [&str; 12] = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
];
const GIVEN: [&str; 8] = [
    "Иван",
    "Сергей",
    "Алексей",
    "Дмитрий",
    "Андрей",
    "Павел",
    "Олег",
    "Юрий",
];

/// A deterministic list of `n` synthetic names with some noise.
fn names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let s = SURNAMES[i % SURNAMES.len()];
            let g = GIVEN[(i / 12) % GIVEN.len()];
            let p = format!(
                "{}ович",
                GIVEN[(i / 96) % GIVEN.len()].trim_end_matches('й')
            );
            match i % 4 {
                0 => format!("{s} {g} {p}"),
                1 => format!("{} {g} {p}", s.to_uppercase()),
                2 => format!("{g} {p} {s}"),
                _ => format!(
                    "{s} {}.{}.",
                    g.chars().next().unwrap(),
                    p.chars().next().unwrap()
                ),
            }
        })
        .collect()
}

fn mentions(n: usize) -> Vec<Mention> {
    names(n)
        .iter()
        .enumerate()
        .map(|(i, name)| Mention {
            source: MentionSource::Role(i as u32),
            names: vec![parse_name(name)],
            birth: None,
            inn: None,
            family: None,
        })
        .collect()
}

fn bench_normalise(c: &mut Criterion) {
    c.bench_function("normalise a name", |b| {
        b.iter(|| parse_name(std::hint::black_box("  ИВАНОВА Мaрия  Петровна ")))
    });
}

fn bench_compare(c: &mut Criterion) {
    let ms = mentions(2);
    let prior = registry_prior(1);
    c.bench_function("score a candidate pair", |b| {
        b.iter(|| {
            compare(
                std::hint::black_box(&ms[0]),
                std::hint::black_box(&ms[1]),
                prior,
            )
        })
    });
}

fn bench_blocking(c: &mut Criterion) {
    let mut g = c.benchmark_group("blocking");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let ms = mentions(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &ms, |b, ms| {
            b.iter(|| candidate_pairs(ms, |_, _| true).len())
        });
    }
    g.finish();
}

fn bench_sample_check(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let rules = affil::rules::registry();
    c.bench_function("analyse data/sample", |b| {
        b.iter(|| affil::pipeline::analyse(&dir, &rules).unwrap().cases.len())
    });
}

criterion_group!(
    benches,
    bench_normalise,
    bench_compare,
    bench_blocking,
    bench_sample_check
);
criterion_main!(benches);
