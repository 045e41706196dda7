//! Column names as Russian systems export them: each input column affil reads, with the headers
//! that mean it (compared in lower case, `ё` as `е`, spaces collapsed). Listed in `docs/input.md`.

/// (column, its Russian headers). A header may mean different columns in different files (`ФИО`
/// is an official's name in officials.csv and a role holder's in company_roles.csv); no file
/// reads two columns one header could mean.
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        "official_id",
        &[
            "табельный номер",
            "таб. номер",
            "код сотрудника",
            "id сотрудника",
        ],
    ),
    (
        "full_name",
        &[
            "фио",
            "ф.и.о.",
            "фамилия имя отчество",
            "фамилия, имя, отчество",
        ],
    ),
    ("birth_date", &["дата рождения"]),
    ("inn", &["инн"]),
    ("position", &["должность"]),
    ("employer_inn", &["инн работодателя", "инн места работы"]),
    (
        "address",
        &[
            "адрес",
            "адрес регистрации",
            "адрес места жительства",
            "юридический адрес",
        ],
    ),
    ("phone", &["телефон", "тел.", "контактный телефон"]),
    (
        "email",
        &[
            "e-mail",
            "электронная почта",
            "эл. почта",
            "адрес электронной почты",
        ],
    ),
    (
        "former_names",
        &["прежние фио", "прежняя фамилия", "предыдущие фио"],
    ),
    (
        "kinship",
        &["степень родства", "родство", "степень родства (свойства)"],
    ),
    ("ogrn", &["огрн", "огрнип"]),
    ("snils", &["снилс", "страховой номер"]),
    (
        "name",
        &[
            "наименование",
            "полное наименование",
            "наименование организации",
        ],
    ),
    (
        "company_inn",
        &["инн организации", "инн компании", "инн юл"],
    ),
    ("role", &["роль", "роль в комиссии", "вид участия"]),
    ("person_name", &["фио", "ф.и.о.", "фио лица"]),
    (
        "person_inn",
        &["инн лица", "инн физического лица", "инн фл"],
    ),
    ("person_birth_date", &["дата рождения"]),
    (
        "holder_inn",
        &[
            "инн учредителя-юл",
            "инн учредителя юл",
            "инн управляющей организации",
        ],
    ),
    (
        "share_percent",
        &["доля", "доля, %", "доля (%)", "доля в уставном капитале"],
    ),
    (
        "since",
        &["дата начала", "дата внесения записи", "действует с"],
    ),
    (
        "until",
        &["дата окончания", "дата прекращения", "действует по"],
    ),
    (
        "procurement_id",
        &[
            "номер закупки",
            "№ закупки",
            "реестровый номер",
            "реестровый номер закупки",
            "номер извещения",
        ],
    ),
    ("customer_inn", &["инн заказчика"]),
    ("customer_name", &["заказчик", "наименование заказчика"]),
    (
        "subject",
        &[
            "предмет закупки",
            "объект закупки",
            "наименование объекта закупки",
        ],
    ),
    (
        "method",
        &["способ закупки", "способ определения поставщика"],
    ),
    (
        "published",
        &[
            "дата публикации",
            "дата размещения",
            "дата размещения извещения",
        ],
    ),
    (
        "initial_price",
        &[
            "нмцк",
            "начальная (максимальная) цена контракта",
            "начальная цена",
        ],
    ),
    ("national_project", &["национальный проект", "нацпроект"]),
    ("participant_inn", &["инн участника", "инн поставщика"]),
    (
        "participant_name",
        &["участник", "наименование участника", "поставщик"],
    ),
    ("is_winner", &["победитель", "признак победителя"]),
    (
        "bid_price",
        &[
            "цена заявки",
            "ценовое предложение",
            "предложение участника",
        ],
    ),
    ("contract_price", &["цена контракта", "сумма контракта"]),
    ("member_name", &["член комиссии", "фио члена комиссии"]),
];

/// The columns of procurements.csv a check reads, in the documented order (what
/// `affil import eis` writes).
pub const PROCUREMENTS: [&str; 8] = [
    "procurement_id",
    "customer_inn",
    "customer_name",
    "subject",
    "method",
    "published",
    "initial_price",
    "national_project",
];
/// The columns of participants.csv a check reads.
pub const PARTICIPANTS: [&str; 6] = [
    "procurement_id",
    "participant_inn",
    "participant_name",
    "is_winner",
    "bid_price",
    "contract_price",
];
/// The columns of commissions.csv a check reads.
pub const COMMISSIONS: [&str; 4] = ["procurement_id", "official_id", "member_name", "role"];
/// The columns of company_roles.csv a check reads (what `affil import egrul` writes first).
pub const COMPANY_ROLES: [&str; 9] = [
    "company_inn",
    "role",
    "person_name",
    "person_inn",
    "person_birth_date",
    "holder_inn",
    "share_percent",
    "since",
    "until",
];

/// `a` then `b`, as one array (`N` must be their length together): a file's columns with the
/// ones a writer adds.
pub const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// A header in the form headers are compared in: lower case, `ё` as `е`, spaces collapsed.
pub fn fold(header: &str) -> String {
    header
        .to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a header (as [`fold`] gives it) names `column`: the column's own name, or one of its
/// Russian headers.
pub fn names(header: &str, column: &str) -> bool {
    header == column
        || ALIASES
            .iter()
            .find(|(c, _)| *c == column)
            .is_some_and(|(_, aliases)| aliases.contains(&header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_headers_name_columns() {
        assert!(names(&fold("ИНН"), "inn"));
        assert!(names(&fold("  Дата   рождения "), "birth_date"));
        assert!(names(&fold("Степень родства"), "kinship"));
        assert!(names(&fold("Номер закупки"), "procurement_id"));
        assert!(names(&fold("ФИО"), "person_name"));
        assert!(names(&fold("Наименование объекта закупки"), "subject"));
        assert!(names(&fold("full_name"), "full_name"));
        assert!(!names(&fold("ИНН"), "participant_inn"));
        assert!(!names(&fold("Дата"), "birth_date"));
    }

    #[test]
    fn aliases_are_folded_and_unique_per_column() {
        for (column, aliases) in ALIASES {
            for a in *aliases {
                assert_eq!(fold(a), *a, "{column}: {a}");
            }
            let mut sorted = aliases.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), aliases.len(), "{column}");
        }
    }
}
