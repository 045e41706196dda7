//! One reader per input file: rows into the model's records.

use rustc_hash::FxHashMap;

use crate::identifiers::ogrn_valid;
use crate::load::{facts, former_names, headers, FileOut, FileRead, FileReader, Memo};
use crate::model::{
    sym, Company, CompanyRole, CompanyRoleKind, Kinship, Official, Participant, Procurement,
    Relative, Seat, Share, Sym, Texts,
};
use crate::values::{
    detect_share_scale, parse_bool, parse_company_role, parse_kinship, parse_seat_role, parse_share,
};

pub(super) fn read_officials(r: FileReader) -> FileRead<Official> {
    let [id_c, name_c, birth_c, inn_c, position_c, employer_c, address_c, phone_c, email_c, former_c, snils_c] =
        r.cols([
            "official_id",
            "full_name",
            "birth_date",
            "inn",
            "position",
            "employer_inn",
            "address",
            "phone",
            "email",
            "former_names",
            "snils",
        ]);
    r.rows(|row, s| {
        let id = s.required(row, id_c)?;
        let full_name = s.required(row, name_c)?;
        let full_name = s.name(full_name, name_c);
        s.snils(row, snils_c);
        Some(Official {
            line: row.record_line(),
            texts: Texts::new(
                [
                    id,
                    full_name,
                    row.text(address_c),
                    row.text(phone_c),
                    row.text(email_c),
                ],
                former_names(row, former_c),
            ),
            birth_date: s.birth_date(row, birth_c).into(),
            inn: s.person_inn(row, inn_c),
            position: row.sym(position_c),
            employer_inn: s.key_inn(row, employer_c, false),
        })
    })
    .map(facts::officials)
}

pub(super) fn read_relatives(
    r: FileReader,
    officials: &FxHashMap<std::borrow::Cow<str>, u32>,
) -> FileRead<Relative> {
    // `relative_id` and `workplace` are read by no stage: not kept (11 million rows at national
    // scale).
    let [oid_c, kin_c, name_c, former_c, birth_c, inn_c, address_c, phone_c, snils_c] = r.cols([
        "official_id",
        "kinship",
        "full_name",
        "former_names",
        "birth_date",
        "inn",
        "address",
        "phone",
        "snils",
    ]);
    let mut kinships = Memo::new();
    r.rows(|row, s| {
        let official_id = s.required(row, oid_c)?;
        let Some(&official) = officials.get(official_id) else {
            return s.reject(
                oid_c,
                format!("official_id `{official_id}` is not in officials.csv"),
            );
        };
        let word = s.required(row, kin_c)?;
        let full_name = s.required(row, name_c)?;
        let full_name = s.name(full_name, name_c);
        s.snils(row, snils_c);
        let kinship = kinships.get(word, parse_kinship).unwrap_or_else(|| {
            s.warn(
                kin_c.name,
                format!("unknown kinship word `{word}`; kept as unknown"),
            );
            Kinship::Unknown
        });
        Some(Relative {
            line: row.record_line(),
            official,
            kinship,
            kinship_word: word.into(),
            texts: Texts::new(
                [full_name, row.text(address_c), row.text(phone_c)],
                former_names(row, former_c),
            ),
            birth_date: s.birth_date(row, birth_c).into(),
            inn: s.person_inn(row, inn_c),
        })
    })
    .map(facts::relatives)
}

pub(super) fn read_companies(r: FileReader) -> FileRead<Company> {
    // The OGRN is checked, and with `status` not kept: no stage reads them.
    let [inn_c, ogrn_c, name_c, address_c, phone_c, email_c] =
        r.cols(["inn", "ogrn", "name", "address", "phone", "email"]);
    r.rows(|row, s| {
        let inn = s.key_inn(row, inn_c, true)?;
        let name = s.required(row, name_c)?;
        if let Some(o) = row.get(ogrn_c).filter(|o| !ogrn_valid(o)) {
            s.warn(
                ogrn_c.name,
                format!("OGRN `{o}` fails the checksum; value dropped"),
            );
        }
        Some(Company {
            line: row.record_line(),
            inn,
            // Interned (not through the per-thread cache: names are mostly distinct), so that
            // the graph's company list shares it rather than copying it.
            name: Sym::from(name),
            texts: Texts::new(
                [row.text(address_c), row.text(phone_c), row.text(email_c)],
                [],
            ),
        })
    })
    .map(facts::companies)
}

/// Reads company_roles.csv; each distinct share value goes once into `shares`, which the rows
/// index.
pub(super) fn read_roles(r: FileReader, shares: &mut Vec<Share>) -> FileRead<CompanyRole> {
    let [company_c, role_c, name_c, pinn_c, pbirth_c, holder_c, share_c, since_c, until_c] =
        r.cols(headers::COMPANY_ROLES);
    // A share's scale (percent or fraction) is read off the whole column, so each row keeps
    // the index of its distinct cell, read once the file is (not a second pass over the text).
    let (mut roles, mut cell_ids, mut cells) = (Memo::new(), Memo::new(), Vec::<Box<str>>::new());
    let read = r.rows(|row, s| {
        // Every row's cell tells the scale, a row rejected below too (as a whole-column pass
        // reads it).
        let share = row.get(share_c).and_then(|raw| {
            cell_ids.get(raw, |raw| {
                cells.push(raw.into());
                Some(cells.len() as u32 - 1)
            })
        });
        let company_inn = s.key_inn(row, company_c, true)?;
        let word = s.required(row, role_c)?;
        let Some(role) = roles.get(word, parse_company_role) else {
            return s.reject(role_c, format!("unknown role `{word}`"));
        };
        let person_name = row
            .get(name_c)
            .map(|n| Texts::new([s.name(n, name_c)], std::iter::empty()));
        let holder_inn = s.key_inn(row, holder_c, false);
        if person_name.is_none() && holder_inn.is_none() {
            return s.reject(name_c, "neither person_name nor holder_inn is given");
        }
        if role == CompanyRoleKind::ManagingCompany && holder_inn.is_none() {
            return s.reject(holder_c, "a managing_company row needs holder_inn");
        }
        let since = s.date(row, since_c);
        let until = s.date(row, until_c);
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                s.warn(
                    until_c.name,
                    format!("role ends ({b}) before it starts ({a})"),
                );
            }
        }
        Some(CompanyRole {
            line: row.record_line(),
            company_inn,
            role,
            person_inn: person_name.as_ref().and_then(|_| s.person_inn(row, pinn_c)),
            person_birth_date: person_name
                .as_ref()
                .and_then(|_| s.birth_date(row, pbirth_c))
                .into(),
            person_name,
            holder_inn,
            share: share.into(),
            since,
            until,
        })
    })?;
    Ok(facts::roles(
        shares_read(read, &cells, share_c.name, shares),
        shares,
    ))
}

/// The roles with each share cell's index replaced by its value's in `shares` (each distinct
/// cell once, in the order the rows kept first give it), read at the whole column's scale; a
/// cell that does not read as a share is dropped with a warning at each row that gives it.
fn shares_read(
    mut read: FileOut<CompanyRole>,
    cells: &[Box<str>],
    column: &str,
    shares: &mut Vec<Share>,
) -> FileOut<CompanyRole> {
    let scale = detect_share_scale(cells.iter().map(|c| &**c));
    // Per cell: not met yet, or its index in `shares` (`None`: unparsable).
    let mut ids: Vec<Option<Option<u32>>> = vec![None; cells.len()];
    for r in &mut read.records {
        let Some(cell) = r.share.get() else { continue };
        let raw = &cells[cell as usize];
        let id = *ids[cell as usize].get_or_insert_with(|| {
            let v = parse_share(raw, scale)?;
            shares.push(v);
            Some(shares.len() as u32 - 1)
        });
        if id.is_none() {
            read.warnings.push(
                &read.stats.file,
                u64::from(r.line),
                column,
                format!("unparsable share `{raw}`; value dropped"),
            );
        }
        r.share = id.into();
    }
    read
}

pub(super) fn read_procurements(r: FileReader) -> FileRead<Procurement> {
    let [id_c, customer_c, cname_c, subject_c, method_c, published_c, price_c, np_c] =
        r.cols(headers::PROCUREMENTS);
    r.rows(|row, s| {
        let id = s.required(row, id_c)?;
        let customer_inn = s.key_inn(row, customer_c, true)?;
        let published = s.date(row, published_c);
        if published.is_none() {
            s.warn(
                published_c.name,
                "no publication date: roles are checked without their dates",
            );
        }
        // The initial price is checked (a warning if unreadable), not kept: no stage reads it.
        s.decimal(row, price_c);
        Some(Procurement {
            line: row.record_line(),
            procurement_id: id.into(),
            customer_inn,
            customer_name: row.sym(cname_c),
            subject: row.sym(subject_c),
            method: row.sym(method_c),
            published,
            national_project: row.sym(np_c),
        })
    })
    .map(facts::procurements)
}

pub(super) fn read_participants(
    r: FileReader,
    procurements: &FxHashMap<&str, u32>,
) -> FileRead<Participant> {
    let [pid_c, inn_c, name_c, winner_c, bid_c, contract_c] = r.cols(headers::PARTICIPANTS);
    r.rows(|row, s| {
        let pid = s.required(row, pid_c)?;
        let Some(&procurement) = procurements.get(pid) else {
            return s.reject(
                pid_c,
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        };
        let inn = s.key_inn(row, inn_c, true)?;
        let is_winner = match row.get(winner_c) {
            None => false,
            Some(raw) => parse_bool(raw).unwrap_or_else(|| {
                s.warn(
                    winner_c.name,
                    format!("unreadable boolean `{raw}`; read as no"),
                );
                false
            }),
        };
        // The bid price is checked, not kept: no stage reads it (12 million bids nationally).
        s.decimal(row, bid_c);
        Some(Participant {
            line: row.record_line(),
            procurement,
            participant_inn: inn,
            participant_name: sym(s.name(row.get(name_c).unwrap_or_default(), name_c)),
            is_winner,
            contract_price: s.decimal(row, contract_c).into(),
        })
    })
    .map(|read| {
        let mut ids = vec![""; procurements.len()];
        for (id, &i) in procurements {
            ids[i as usize] = id;
        }
        facts::participants(read, &ids)
    })
}

pub(super) fn read_commissions(
    r: FileReader,
    procurements: &FxHashMap<&str, u32>,
    officials: &FxHashMap<std::borrow::Cow<str>, u32>,
    names: &mut Vec<Sym>,
) -> FileRead<Seat> {
    let [pid_c, oid_c, member_c, role_c] = r.cols(headers::COMMISSIONS);
    let mut roles = Memo::new();
    let mut name_ids: FxHashMap<Sym, u32> = FxHashMap::default();
    r.rows(|row, s| {
        let pid = s.required(row, pid_c)?;
        let Some(&procurement) = procurements.get(pid) else {
            return s.reject(
                pid_c,
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        };
        let word = s.required(row, role_c)?;
        let Some(role) = roles.get(word, parse_seat_role) else {
            return s.reject(role_c, format!("unknown commission role `{word}`"));
        };
        let member_name = row.get(member_c).map(|n| sym(s.name(n, member_c)));
        let mut official = None;
        if let Some(id) = row.get(oid_c) {
            official = officials.get(id).copied();
            if official.is_none() {
                if member_name.is_none() {
                    return s.reject(
                        oid_c,
                        format!("official_id `{id}` is not in officials.csv and no member_name"),
                    );
                }
                s.warn(
                    oid_c.name,
                    format!("official_id `{id}` is not in officials.csv; resolving member_name"),
                );
            }
        }
        if official.is_none() && member_name.is_none() {
            return s.reject(member_c, "neither official_id nor member_name is given");
        }
        let member_name = member_name.map(|n| {
            *name_ids.entry(n).or_insert_with(|| {
                names.push(n);
                names.len() as u32 - 1
            })
        });
        Some(Seat {
            line: row.record_line(),
            procurement,
            official: official.into(),
            member_name: member_name.into(),
            role,
        })
    })
    .map(|read| facts::seats(read, names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::CsvTable;

    /// company_roles.csv of these rows (after its header): the roles, the shares, and each
    /// warning as `line column problem`.
    fn roles(rows: &[&str]) -> (Vec<CompanyRole>, Vec<Share>, Vec<String>) {
        let text = format!(
            "{}\n{}\n",
            headers::COMPANY_ROLES.join(";"),
            rows.join("\n")
        );
        let table = CsvTable::parse("company_roles.csv", text.as_bytes()).unwrap();
        let mut shares = Vec::new();
        let read = read_roles(FileReader::new(table), &mut shares).unwrap();
        let warnings = read
            .warnings
            .0
            .iter()
            .map(|w| format!("{} {} {}", w.line, w.column, w.problem))
            .collect();
        (read.records, shares, warnings)
    }

    fn ratio(n: i64, d: i64) -> Share {
        Share::new(n.into(), d.into())
    }

    #[test]
    fn shares_are_read_at_the_whole_columns_scale_each_value_once() {
        let row = |role: &str, name: &str, share: &str| {
            format!("5916447124;{role};{name};;;;{share};01.01.2015;")
        };
        let rows = [
            row("founder", "Петров Иван Петрович", "0,5"),
            row("founder", "Иванов Пётр Иванович", "0.25"),
            row("founder", "Сидоров Олег Ильич", "много"),
            row("founder", "Петрова Анна Ивановна", "0.5"),
            row("founder", "Орлов Юрий Павлович", "0,5"),
        ];
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let (records, shares, warnings) = roles(&rows);
        // Every cell at most 1, one with a decimal point: fractions; each distinct cell once.
        assert_eq!(shares, [ratio(1, 2), ratio(1, 4), ratio(1, 2)]);
        let by_line = |line: u32| records.iter().find(|r| r.line == line).unwrap().share.get();
        assert_eq!(
            [2, 3, 4, 5, 6].map(by_line),
            [Some(0), Some(1), None, Some(2), Some(0)]
        );
        assert_eq!(
            warnings,
            ["4 share_percent unparsable share `много`; value dropped"]
        );

        // A rejected row's cell is the column's notation too: 60 makes every cell a percent.
        let rejected = row("founder_typo", "Лебедев Иван Ильич", "60");
        let (records, shares, warnings) = roles(&[rows[0], &rejected, rows[1]]);
        assert_eq!(shares, [ratio(1, 200), ratio(1, 400)]);
        assert_eq!(records.len(), 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("3 role row rejected"),
            "{warnings:?}"
        );
    }
}
