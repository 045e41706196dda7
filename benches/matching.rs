//! Criterion benchmarks of the hot stages: name normalisation, pair scoring, blocking,
//! `affil link`'s field model (comparing, blocking, estimating), ownership propagation, the
//! rule over a regional graph, and the whole pipeline on the sample.
//!
//! `cargo bench --bench matching` (the regional rule bench generates its data first, ~10 s).

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use affil::normalize::{parse_name, Mention, MentionSource};
use affil::resolve::{candidate_pairs, compare, registry_prior};

/// A deterministic list of `n` names drawn as the generator draws them (common surnames and a
/// long tail, men's names and patronymics), written in four ways.
fn names(n: usize) -> Vec<String> {
    use affil::generate::names::{tail_surnames, MALE, SURNAMES};
    let mut rng = affil::generate::rng::Rng::new(7, 0);
    let tail = tail_surnames();
    (0..n)
        .map(|i| {
            let s = if rng.chance(0.3) {
                *rng.pick(SURNAMES)
            } else {
                rng.pick(tail).as_str()
            };
            let g = rng.pick(MALE).0;
            let p = rng.pick(MALE).1;
            match i % 4 {
                0 => format!("{s} {g} {p}"),
                1 => format!("{} {g} {p}", s.to_uppercase()),
                2 => format!("{g} {p} {s}"),
                _ => format!(
                    "{s} {}.{}.",
                    g.chars().next().unwrap_or('И'),
                    p.chars().next().unwrap_or('И')
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
            source: MentionSource::Role(i as u32).into(),
            names: smallvec::smallvec![parse_name(name)],
            birth: None,
            inn: None,
            family: None.into(),
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

/// A dataset of one holding tree: company 0 is held 50/50 by companies 1 and 2, each of those by
/// the next two, `depth` levels down; the leaves are held by persons; the last 20 companies also
/// hold each other in a ring (a cycle the matrix method must solve).
fn holding_tree(depth: u32) -> affil::model::Dataset {
    use affil::model::{CompanyRole, CompanyRoleKind, Dataset, Texts};
    use num_rational::BigRational;
    let inn = |i: usize| format!("77{i:08}");
    let n = (1usize << depth) - 1;
    let mut data = Dataset {
        shares: vec![
            BigRational::new(1.into(), 2.into()),
            BigRational::new(1.into(), 10.into()),
        ],
        ..Dataset::default()
    };
    let (half, tenth) = (|| Some(0), Some(1));
    let mut role =
        |company: usize, holder: Option<usize>, person: Option<usize>, share: Option<u32>| {
            data.roles.push(CompanyRole {
                line: 0,
                company_inn: inn(company).as_str().into(),
                role: CompanyRoleKind::Founder,
                person_name: person
                    .map(|p| Texts::new([format!("Владелец{p} Иван Петрович").as_str()], [])),
                person_inn: None,
                person_birth_date: None.into(),
                holder_inn: holder.map(|h| inn(h).as_str().into()),
                share: share.into(),
                since: None,
                until: None,
            })
        };
    for c in 0..n {
        let (l, r) = (2 * c + 1, 2 * c + 2);
        if l < n {
            role(c, Some(l), None, half());
            role(c, Some(r), None, half());
        } else {
            role(c, None, Some(c), half());
            role(c, None, Some(c + n), half());
        }
    }
    for c in n - 20..n {
        let next = if c + 1 == n { n - 20 } else { c + 1 };
        role(c, Some(next), None, tenth);
    }
    data
}

fn bench_ownership(c: &mut Criterion) {
    let data = holding_tree(8);
    let mentions = affil::normalize::normalize(&data);
    let mut warnings = affil::load::Warnings::default();
    let res = affil::resolve::resolve(&data, &mentions, &mut warnings);
    let g = affil::graph::build(&data, &mentions, &res);
    let root = g.company_by_inn[&affil::model::Inn::new("7700000000")];
    c.bench_function("ownership propagation (255 companies, ring of 20)", |b| {
        b.iter(|| {
            affil::graph::beneficial_owners(&g, &data, &mentions, root, None)
                .holdings
                .len()
        })
    });
}

fn bench_rule_regional(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    affil::cmd::generate::run(&affil::generate::GenerateOptions {
        out: dir.path().to_path_buf(),
        scale: affil::generate::Scale::Regional,
        seed: 7,
        noise: affil::generate::noise::STANDARD,
        chunks: None,
    })
    .expect("regional data");
    let a = affil::pipeline::analyse(dir.path(), &[]).expect("analysis");
    let graph = affil::graph::build(&a.data, &a.mentions, &a.resolution);
    let rules = affil::rules::registry();
    let mut g = c.benchmark_group("rules");
    g.sample_size(10);
    // A fresh context each time: it keeps the shared search's cases once found.
    g.bench_function("COI-44FZ, KIN-EXT, EMPLOYEE over a regional graph", |b| {
        b.iter(|| {
            let ctx = affil::rules::Context::new(&a.data, &a.mentions, &a.resolution, &graph);
            affil::rules::run(&rules, &ctx).len()
        })
    });
    g.finish();
}

fn bench_sample_check(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let rules = affil::rules::registry();
    c.bench_function("analyse data/sample", |b| {
        b.iter(|| affil::pipeline::analyse(&dir, &rules).unwrap().cases.len())
    });
}

/// Person records for `affil link`'s field model: the names above, a birth date, an address
/// (Russian markers) and every fifth record a second time with a date typo.
fn field_records(n: usize) -> Vec<affil::resolve::fields::FieldRecord> {
    use affil::resolve::fields::FieldRecord;
    let mut rng = affil::generate::rng::Rng::new(11, 0);
    let mut out = Vec::with_capacity(n + n / 5);
    for (i, name) in names(n).iter().enumerate() {
        let (d, m, y) = (1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(60));
        let address = format!(
            "г. Пермь, ул. Ленина, д. {}, кв. {}",
            1 + i % 90,
            1 + i % 200
        );
        let record =
            |date: String| FieldRecord::new(name, Some(&date), None, Some(&address), None, None);
        out.push(record(format!("{d:02}.{m:02}.{y}")));
        if i % 5 == 0 {
            out.push(record(format!("{m:02}.{d:02}.{y}")));
        }
    }
    out
}

fn bench_field_model(c: &mut Criterion) {
    use affil::resolve::{blocking, fields, model};
    let records = field_records(20_000);
    c.bench_function("field model: compare two records", |b| {
        b.iter(|| {
            fields::compare_records(
                std::hint::black_box(&records[0]),
                std::hint::black_box(&records[1]),
            )
        })
    });
    let mut g = c.benchmark_group("field model");
    g.sample_size(10);
    g.bench_function("block 24,000 records", |b| {
        b.iter(|| blocking::candidate_pairs(std::hint::black_box(&records), None))
    });
    let (pairs, _) = blocking::candidate_pairs(&records, None);
    let vectors: Vec<fields::Vector> = pairs
        .iter()
        .filter_map(|&(a, b)| fields::compare_records(&records[a as usize], &records[b as usize]))
        .collect();
    g.bench_function("estimate the weights of 24,000 records", |b| {
        b.iter(|| model::train(std::hint::black_box(&records), None, &vectors, None))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_normalise,
    bench_compare,
    bench_blocking,
    bench_field_model,
    bench_ownership,
    bench_rule_regional,
    bench_sample_check
);
criterion_main!(benches);
