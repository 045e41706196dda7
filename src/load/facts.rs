//! What each file's rows state: the fact a row gives (two rows of one fact are one record), the
//! rest it holds, and how a fact given with contradicting values is read (see [`super::canon`]).
//! Each comparison names every field of its record, so that a field added to the model and not
//! to its order fails to compile rather than let input order decide.

use std::cmp::Ordering;

use super::canon::{folded_cmp, given_first, text_cmp, text_key, Rules, Settle};
use super::FileOut;
use crate::model::*;
use crate::values::Share;

/// Name by name, then the shorter list first.
fn names_cmp<S: AsRef<str>>(
    mut a: impl Iterator<Item = S>,
    mut b: impl Iterator<Item = S>,
) -> Ordering {
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) => match text_cmp(x.as_ref(), y.as_ref()) {
                Ordering::Equal => {}
                o => return o,
            },
            (x, y) => return x.is_some().cmp(&y.is_some()),
        }
    }
}

fn price_cmp(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// An INN's order key (see [`Inn::order_key`]) in the top bits, where sorting reads it.
fn inn_key(inn: Inn) -> Option<u64> {
    inn.order_key().map(|k| k << 10)
}

/// Rows of one key with other values: the first by its values is read, the others rejected.
fn reject<T>(_: &mut T, _: &[&T]) -> Settle {
    Settle::Rejected
}

/// The records of a file whose rows are one fact only when they agree in every field (`fact`
/// compares them all): exact repeats are kept once; there is nothing to settle.
fn whole_rows<T: Send + Sync>(
    out: FileOut<T>,
    line: impl Fn(&T) -> u64 + Sync,
    fact: impl Fn(&T, &T) -> Ordering + Sync,
    key: fn(&T) -> Option<u64>,
) -> FileOut<T> {
    out.canonical(
        line,
        Rules {
            fact,
            key,
            rest: |_: &T, _: &T| Ordering::Equal,
            describe: |_: &T| String::new(),
            settle: |_: &mut T, _: &[&T]| Settle::Merged(Vec::new()),
        },
    )
}

/// officials.csv: one official per `official_id`.
pub(super) fn officials(out: FileOut<Official>) -> FileOut<Official> {
    let rest = |a: &Official, b: &Official| {
        let Official {
            line: _,
            texts: _, // compared through its methods, the id aside (the fact)
            birth_date,
            inn,
            position,
            employer_inn,
        } = a;
        text_cmp(&a.full_name(), &b.full_name())
            .then_with(|| given_first(&birth_date.get(), &b.birth_date.get()))
            .then_with(|| given_first(inn, &b.inn))
            .then_with(|| text_cmp(position, &b.position))
            .then_with(|| given_first(employer_inn, &b.employer_inn))
            .then_with(|| text_cmp(&a.address(), &b.address()))
            .then_with(|| text_cmp(&a.phone(), &b.phone()))
            .then_with(|| text_cmp(&a.email(), &b.email()))
            .then_with(|| names_cmp(a.former_names(), b.former_names()))
    };
    out.canonical(
        |o| o.line.into(),
        Rules {
            fact: |a: &Official, b: &Official| a.official_id().cmp(&b.official_id()),
            rest,
            describe: |o: &Official| format!("official_id `{}`", o.official_id()),
            settle: reject,
            key: |o: &Official| Some(text_key(&o.official_id())),
        },
    )
}

/// relatives.csv: a row is one fact only as a whole (two relatives of one name may be two
/// people).
pub(super) fn relatives(out: FileOut<Relative>) -> FileOut<Relative> {
    let fact = |a: &Relative, b: &Relative| {
        let Relative {
            line: _,
            official,
            kinship,
            kinship_word,
            texts: _, // compared through its methods
            birth_date,
            inn,
        } = a;
        official
            .cmp(&b.official)
            .then_with(|| kinship.cmp(&b.kinship))
            .then_with(|| text_cmp(&a.full_name(), &b.full_name()))
            .then_with(|| given_first(&birth_date.get(), &b.birth_date.get()))
            .then_with(|| given_first(inn, &b.inn))
            .then_with(|| text_cmp(kinship_word, &b.kinship_word))
            .then_with(|| names_cmp(a.former_names(), b.former_names()))
            .then_with(|| text_cmp(&a.address(), &b.address()))
            .then_with(|| text_cmp(&a.phone(), &b.phone()))
    };
    let key = |r: &Relative| Some(u64::from(r.official) << 32 | (r.kinship as u64) << 26);
    whole_rows(out, |r| r.line.into(), fact, key)
}

/// companies.csv: one company per INN.
pub(super) fn companies(out: FileOut<Company>) -> FileOut<Company> {
    let rest = |a: &Company, b: &Company| {
        let Company {
            line: _,
            inn: _,
            name,
            texts: _, // compared through its methods
        } = a;
        text_cmp(name, &b.name)
            .then_with(|| text_cmp(&a.address(), &b.address()))
            .then_with(|| text_cmp(&a.phone(), &b.phone()))
            .then_with(|| text_cmp(&a.email(), &b.email()))
    };
    out.canonical(
        |c| c.line.into(),
        Rules {
            fact: |a: &Company, b: &Company| a.inn.cmp(&b.inn),
            rest,
            describe: |c: &Company| format!("company INN {}", c.inn),
            settle: reject,
            key: |c: &Company| inn_key(c.inn),
        },
    )
}

/// company_roles.csv: one role or holding per (company, role, holder, since); the holder is
/// a company by its INN, or a person by name (case and `ё` aside) whose rows do not tell two
/// people apart (two INNs, or birth dates that cannot be one person's where an INN is missing).
/// Given with different shares, the smallest is read; with different ends, the earliest: the
/// readings that create no case by themselves. One person's INN with two birth dates reads no
/// birth date (as across files, see `birth_date_conflicts`).
/// Long on purpose: the fact key, the rule for each contradiction and the birth-date check
/// share the closures at its top.
pub(super) fn roles(out: FileOut<CompanyRole>, shares: &[Share]) -> FileOut<CompanyRole> {
    let share = |r: &CompanyRole| r.share.get().map(|i| &shares[i as usize]);
    let fact = |a: &CompanyRole, b: &CompanyRole| {
        a.company_inn
            .cmp(&b.company_inn)
            .then_with(|| a.role.cmp(&b.role))
            .then_with(|| a.holder_inn.cmp(&b.holder_inn))
            .then_with(|| {
                folded_cmp(
                    a.person_name().as_deref().unwrap_or_default(),
                    b.person_name().as_deref().unwrap_or_default(),
                )
            })
            .then_with(|| a.since.cmp(&b.since))
    };
    let rest = |a: &CompanyRole, b: &CompanyRole| {
        let CompanyRole {
            line: _,
            company_inn: _,
            role: _,
            person_name,
            person_inn,
            person_birth_date,
            holder_inn: _,
            share: _,
            since: _,
            until,
        } = a;
        given_first(&share(a), &share(b))
            .then_with(|| given_first(until, &b.until))
            .then_with(|| given_first(person_inn, &b.person_inn))
            .then_with(|| given_first(&person_birth_date.get(), &b.person_birth_date.get()))
            .then_with(|| match (person_name, &b.person_name) {
                (Some(x), Some(y)) => text_cmp(&x.get(0), &y.get(0)),
                (x, y) => x.is_none().cmp(&y.is_none()),
            })
    };
    let settle = |head: &mut CompanyRole, others: &[&CompanyRole]| {
        let all = || std::iter::once(&*head).chain(others.iter().copied());
        let mut inns: Vec<Inn> = all().filter_map(|r| r.person_inn).collect();
        inns.sort_unstable();
        inns.dedup();
        let mut births: Vec<BirthDate> = all().filter_map(|r| r.person_birth_date.get()).collect();
        births.sort_unstable();
        births.dedup();
        let disagree = BirthDate::any_disagree(&births);
        let every_row_has_the_inn = all().all(|r| r.person_inn.is_some());
        if inns.len() > 1 || (disagree && !every_row_has_the_inn) {
            return Settle::Apart;
        }
        let mut kinds = Vec::new();
        // The row read keeps what any row says of who the holder is.
        head.person_inn = inns.first().copied();
        head.person_birth_date = births
            .iter()
            .copied()
            .max_by_key(|b| matches!(b, BirthDate::Full(_)))
            .into();
        if disagree {
            head.person_birth_date = OptBirth::NONE;
            kinds.push(ConflictKind::BirthDates {
                inn: inns[0],
                dates: births,
            });
        }
        // The first sorts with the smallest stated share: that one is read.
        if let Some(read) = share(head) {
            let mut given: Vec<&Share> = others.iter().filter_map(|o| share(o)).collect();
            given.push(read);
            given.sort_unstable();
            given.dedup();
            if given.len() > 1 {
                kinds.push(ConflictKind::Share {
                    given: given.into_iter().cloned().collect(),
                });
            }
        }
        // A blank end is an open role: any stated end contradicts it, and the earliest is read.
        let ends = std::iter::once(head.until).chain(others.iter().map(|o| o.until));
        let earliest = ends.clone().flatten().min();
        if let Some(read) = earliest {
            if ends.clone().any(|u| u != Some(read)) {
                head.until = Some(read);
                kinds.push(ConflictKind::Until { read });
            }
        }
        Settle::Merged(kinds)
    };
    out.canonical(
        |r| r.line.into(),
        Rules {
            fact,
            rest,
            describe: |r: &CompanyRole| {
                let holder = match (&r.holder_inn, &r.person_name) {
                    (Some(h), _) => format!("INN {h}"),
                    (None, Some(n)) => n.get(0).into_owned(),
                    (None, None) => String::new(),
                };
                let since = r.since.map(|d| format!(" since {d}")).unwrap_or_default();
                format!("{} of {} by {holder}{since}", r.role.code(), r.company_inn)
            },
            settle,
            key: |r: &CompanyRole| inn_key(r.company_inn),
        },
    )
}

/// procurements.csv: one procurement per number.
pub(super) fn procurements(out: FileOut<Procurement>) -> FileOut<Procurement> {
    let rest = |a: &Procurement, b: &Procurement| {
        let Procurement {
            line: _,
            procurement_id: _,
            customer_inn,
            customer_name,
            subject,
            method,
            published,
            national_project,
        } = a;
        customer_inn
            .cmp(&b.customer_inn)
            .then_with(|| given_first(published, &b.published))
            .then_with(|| text_cmp(customer_name, &b.customer_name))
            .then_with(|| text_cmp(subject, &b.subject))
            .then_with(|| text_cmp(method, &b.method))
            .then_with(|| text_cmp(national_project, &b.national_project))
    };
    out.canonical(
        |p| p.line.into(),
        Rules {
            fact: |a: &Procurement, b: &Procurement| a.procurement_id.cmp(&b.procurement_id),
            rest,
            describe: |p: &Procurement| format!("procurement_id `{}`", p.procurement_id),
            settle: reject,
            key: |p: &Procurement| Some(text_key(&p.procurement_id)),
        },
    )
}

/// participants.csv: one bid per (procurement, participant). Given as won and as not won, it
/// is read as not won; with different contract prices, the smallest.
pub(super) fn participants(
    out: FileOut<Participant>,
    procurements: &[&str],
) -> FileOut<Participant> {
    let rest = |a: &Participant, b: &Participant| {
        let Participant {
            line: _,
            procurement: _,
            participant_inn: _,
            participant_name,
            is_winner,
            contract_price,
        } = a;
        is_winner
            .cmp(&b.is_winner)
            .then_with(|| price_cmp(contract_price.get(), b.contract_price.get()))
            .then_with(|| text_cmp(participant_name, &b.participant_name))
    };
    let settle = |head: &mut Participant, others: &[&Participant]| {
        let mut kinds = Vec::new();
        if others.iter().any(|o| o.is_winner != head.is_winner) {
            kinds.push(ConflictKind::Winner);
        }
        let prices = std::iter::once(head.contract_price.get())
            .chain(others.iter().map(|o| o.contract_price.get()))
            .flatten();
        let smallest = prices.clone().min_by(f64::total_cmp);
        if prices.clone().any(|p| Some(p) != smallest) {
            kinds.push(ConflictKind::ContractPrice);
        }
        head.contract_price = smallest.into();
        Settle::Merged(kinds)
    };
    out.canonical(
        |p| p.line.into(),
        Rules {
            fact: |a: &Participant, b: &Participant| {
                (a.procurement, a.participant_inn).cmp(&(b.procurement, b.participant_inn))
            },
            rest,
            describe: |p: &Participant| {
                format!(
                    "bid of {} in {}",
                    p.participant_inn, procurements[p.procurement as usize]
                )
            },
            settle,
            key: |p: &Participant| {
                Some(u64::from(p.procurement) << 32 | inn_key(p.participant_inn)? >> 32)
            },
        },
    )
}

/// commissions.csv: a row is one fact only as a whole (one official may hold two seats).
pub(super) fn seats(out: FileOut<Seat>, names: &[Sym]) -> FileOut<Seat> {
    let name = |i: OptIndex| i.get().map(|i| names[i as usize]);
    let fact = |a: &Seat, b: &Seat| {
        let Seat {
            line: _,
            procurement,
            official,
            member_name,
            role,
        } = a;
        procurement
            .cmp(&b.procurement)
            .then_with(|| official.cmp(&b.official))
            .then_with(|| role.cmp(&b.role))
            .then_with(|| match (name(*member_name), name(b.member_name)) {
                (Some(x), Some(y)) => text_cmp(&x, &y),
                (x, y) => x.is_none().cmp(&y.is_none()),
            })
    };
    let key = |s: &Seat| {
        let official = s.official.get().map_or(0, |o| u64::from(o) + 1);
        Some(u64::from(s.procurement) << 32 | official)
    };
    whole_rows(out, |s| s.line.into(), fact, key)
}
