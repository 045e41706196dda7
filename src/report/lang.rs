//! The language of the report texts (summary.md, report.html, cases.xlsx): Russian by default,
//! English with `--lang en`. Column names of the CSV and JSON outputs are codes, not texts, and
//! stay as they are, as does their evidence (the rules write it in Russian); in English the page
//! and the workbook put the evidence's words in English ([`english_label`]).

use crate::model::SeatRole;

/// A language of the report texts (`--lang ru`, `--lang en`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Russian (the default).
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// The code for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Picks the text in this language; the two sit side by side where they are used.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// A severity code as a word.
    pub fn severity(self, code: &str) -> &'static str {
        match (code, self) {
            ("high", Lang::Ru) => "высокая",
            ("medium", Lang::Ru) => "средняя",
            (_, Lang::Ru) => "низкая",
            ("high", Lang::En) => "high",
            ("medium", Lang::En) => "medium",
            (_, Lang::En) => "low",
        }
    }

    /// A rule's title, as the rule declares it ([`crate::rules::RuleInfo`]).
    pub fn rule_title(self, code: &str) -> &'static str {
        match crate::rules::info(code) {
            Some(info) => self.pick(info.title.ru, info.title.en),
            None => self.pick("Правило", "Rule"),
        }
    }

    /// An official's role code as words: a seat as the model names it in Russian
    /// ([`SeatRole::russian`]), `employee` for the customer's staff.
    pub fn role(self, code: &str) -> &str {
        if code == "employee" {
            return self.pick("сотрудник заказчика", "customer's employee");
        }
        match crate::values::parse_seat_role(code) {
            Some(seat) => self.pick(seat.russian(), seat_english(seat)),
            None => code,
        }
    }

    /// A decision code as words.
    pub fn decision(self, code: &str) -> &str {
        match code {
            "confirmed" => self.pick("подтверждено", "confirmed"),
            "cleared" => self.pick("снято", "cleared"),
            "referred" => self.pick("передано на проверку", "referred"),
            other => other,
        }
    }

    /// A status code (`new`, `repeated`) as a word.
    pub fn status(self, code: &str) -> &str {
        match code {
            "new" => self.pick("новый", "new"),
            "repeated" => self.pick("повторный", "repeated"),
            other => other,
        }
    }

    /// An evidence step's label in this language (in English by `english_label`).
    pub fn step_label(self, s: &crate::rules::Step) -> String {
        match self {
            Lang::Ru => s.label.clone(),
            Lang::En => english_label(s.kind, &s.label),
        }
    }

    /// A legal basis in this language.
    pub fn legal_basis(self, basis: &str) -> String {
        match self {
            Lang::Ru => basis.to_owned(),
            Lang::En => english_legal_basis(basis),
        }
    }

    /// Money: `1 234 567,89` in Russian, `1,234,567.89` in English.
    pub fn money(self, v: f64) -> String {
        let cents = (v * 100.0).round() as i64;
        let (int, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let point = self.pick_char(',', '.');
        let sign = if cents < 0 { "-" } else { "" };
        format!("{sign}{}{point}{frac:02}", self.grouped(int))
    }

    /// A whole number in groups of three: `92 955` in Russian, `92,955` in English.
    pub fn grouped(self, n: u64) -> String {
        let digits = n.to_string();
        let group = self.pick_char('\u{a0}', ',');
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(ch);
        }
        out
    }

    fn pick_char(self, ru: char, en: char) -> char {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// A seat in English.
fn seat_english(seat: SeatRole) -> &'static str {
    match seat {
        SeatRole::CustomerHead => "customer's head",
        SeatRole::Chair => "commission chair",
        SeatRole::DeputyChair => "deputy commission chair",
        SeatRole::Member => "commission member",
        SeatRole::Secretary => "commission secretary",
        SeatRole::ContractManager => "contract manager",
        SeatRole::ContractServiceHead => "contract service head",
    }
}

/// The words and phrases the rules share in evidence chains, in English (each rule's own are in
/// its [`crate::rules::RuleInfo::phrases`], the seats, which the model names, come from
/// [`SeatRole::ALL`]). Matched whole (a
/// letter on neither side) outside «quotes», longest first, so that names, which are
/// capitalised and quoted company names, stay as written.
const PHRASES: &[(&str, &str)] = &[
    // Staff (the seats come from the model).
    ("сотрудник заказчика", "customer's employee"),
    ("в закупке не участвует", "no role in the procurement"),
    ("в протоколе", "in the minutes as"),
    ("подходит к", "fits"),
    ("сотрудникам", "employees"),
    // Identification.
    ("в реестре", "in the registry"),
    ("совпадение", "match"),
    ("ФИО и дата рождения", "name and birth date"),
    ("по прежней фамилии", "through a former surname"),
    (
        "фамилия в другой форме или с опечаткой",
        "surname in another form or with a typo",
    ),
    ("без фамилии", "no surname"),
    ("имя с опечаткой", "given name with a typo"),
    ("имя по инициалу", "given name by its initial"),
    ("без имени", "no given name"),
    ("отчество с опечаткой", "patronymic with a typo"),
    ("отчество по инициалу", "patronymic by its initial"),
    ("без отчества", "no patronymic"),
    (
        "день и месяц рождения переставлены",
        "birth day and month swapped",
    ),
    (
        "дата рождения с опечаткой в одной цифре",
        "birth date one digit off",
    ),
    ("только ФИО", "name only"),
    ("ИНН", "INN"),
    // Kinship.
    ("сам(а)", "self"),
    ("неполнородный брат/сестра", "half sibling"),
    ("неполнородный брат", "half brother"),
    ("неполнородная сестра", "half sister"),
    ("сводный брат/сестра", "step sibling"),
    ("брат или сестра", "sibling"),
    ("брат/сестра", "sibling"),
    ("брат", "brother"),
    ("сестра", "sister"),
    ("бывший супруг(а)", "former spouse"),
    ("супруг(а) ребёнка", "child's spouse"),
    ("супруг(а)", "spouse"),
    ("жена", "wife"),
    ("муж", "husband"),
    ("мать", "mother"),
    ("отец", "father"),
    ("родитель супруга", "spouse's parent"),
    ("родитель", "parent"),
    ("дочь", "daughter"),
    ("сын", "son"),
    ("ребёнок", "child"),
    ("дедушка/бабушка", "grandparent"),
    ("бабушка", "grandmother"),
    ("дедушка", "grandfather"),
    ("внук/внучка", "grandchild"),
    ("внучка", "granddaughter"),
    ("внук", "grandson"),
    ("усыновитель", "adoptive parent"),
    ("удочерённая", "adopted daughter"),
    ("усыновлённый", "adopted child"),
    ("свойственник", "in-law"),
    ("отчим/мачеха", "step-parent"),
    ("пасынок/падчерица", "stepchild"),
    ("член семьи", "household member"),
    ("родственник", "relative"),
    // Roles in companies.
    ("индивидуальный предприниматель", "sole proprietor"),
    (
        "член коллегиального исполнительного органа",
        "executive board member",
    ),
    ("член правления", "board member"),
    ("директор", "director"),
    ("управляющая организация", "managing company"),
    ("учредитель", "founder"),
    ("доля не указана", "share not given"),
    ("итого", "in all"),
    ("по всем цепочкам", "over all chains"),
    ("бенефициар", "beneficiary"),
    ("по реестру", "per the registry"),
    // Bids (the rules' own words are in their `RuleInfo::phrases`).
    ("победитель закупки", "winner of procurement"),
    ("участник закупки", "bidder in procurement"),
    // Contradicting input (see `rules::conflict_note`).
    ("противоречие в данных", "conflicting input"),
    ("доля указана как", "share given as"),
    ("взята меньшая", "the smaller is read"),
    ("разные даты окончания роли", "different role end dates"),
    ("взята ранняя", "the earliest is read"),
    (
        "участник указан победителем и не победителем",
        "the bid is given as won and as not won",
    ),
    ("принято: не победитель", "read as not won"),
    ("разные цены контракта", "different contract prices"),
    (
        "разные значения одной записи",
        "one record with different values",
    ),
    (
        "прочитана первая по значениям",
        "the first by its values is read",
    ),
    ("с разными датами рождения", "with different birth dates"),
    ("дата рождения не учтена", "no birth date is read"),
    ("строки", "lines"),
    ("строка", "line"),
];

/// An evidence step's label in English: a questionnaire's kinship word by what the loader reads
/// it as (whatever HR wrote: `тёща`, `бывший муж`), everything else phrase by phrase
/// (`PHRASES` and the rules' own); names, quoted company names and identifiers stay as written.
pub fn english_label(kind: &str, label: &str) -> String {
    if kind == "relation" {
        if let Some(k) = crate::values::parse_kinship(label) {
            return k.code().replace('_', " ");
        }
    }
    english_phrases(label)
}

/// The phrases of [`PHRASES`] in `text` in English, outside «quotes».
pub fn english_phrases(text: &str) -> String {
    // Longest first, so that a phrase wins over the words inside it; built once.
    static BY_LENGTH: std::sync::OnceLock<Vec<(&str, &str)>> = std::sync::OnceLock::new();
    let by_length = BY_LENGTH.get_or_init(|| {
        let seats = SeatRole::ALL.map(|seat| (seat.russian(), seat_english(seat)));
        let rules = crate::rules::registry();
        let own = rules.iter().flat_map(|r| r.info().phrases.iter().copied());
        let mut v: Vec<(&str, &str)> = PHRASES.iter().copied().chain(own).chain(seats).collect();
        v.sort_by_key(|(ru, _)| std::cmp::Reverse(ru.chars().count()));
        v
    });
    let mut out = String::with_capacity(text.len());
    let mut quoted = 0usize;
    let mut prev: Option<char> = None;
    let mut rest = text;
    'scan: while let Some(c) = rest.chars().next() {
        match c {
            '«' => quoted += 1,
            '»' => quoted = quoted.saturating_sub(1),
            _ => {}
        }
        if quoted == 0 && !prev.is_some_and(char::is_alphanumeric) {
            for (ru, en) in by_length {
                if let Some(after) = rest.strip_prefix(ru) {
                    let ends_in_letter = ru.chars().last().is_some_and(char::is_alphanumeric);
                    if !(ends_in_letter && after.chars().next().is_some_and(char::is_alphanumeric))
                    {
                        out.push_str(en);
                        prev = en.chars().last();
                        rest = after;
                        continue 'scan;
                    }
                }
            }
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A legal basis in English (`44-ФЗ ст. 31 ч. 1 п. 9` -> `44-FZ art. 31 p. 1 i. 9`).
pub fn english_legal_basis(basis: &str) -> String {
    basis
        .replace("ФЗ", "FZ")
        .replace("ст.", "art.")
        .replace("ч.", "p.")
        .replace("п.", "i.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_in_each_language() {
        assert_eq!(Lang::Ru.money(1234567.891), "1\u{a0}234\u{a0}567,89");
        assert_eq!(Lang::En.money(1234567.891), "1,234,567.89");
        assert_eq!(Lang::Ru.money(0.0), "0,00");
        assert_eq!(Lang::En.money(-0.5), "-0.50");
        assert_eq!(Lang::Ru.money(999.5), "999,50");
        assert_eq!(Lang::Ru.grouped(92955), "92\u{a0}955");
        assert_eq!(Lang::En.grouped(1000000), "1,000,000");
    }

    #[test]
    fn evidence_words_are_put_in_english_and_names_kept() {
        let t = |k, l| english_label(k, l);
        assert_eq!(
            t("person", "Морозов Артём Дмитриевич (в реестре «Морозов Артем Дмитриевич») [совпадение: ФИО и дата рождения, 1.00]"),
            "Морозов Артём Дмитриевич (in the registry «Морозов Артем Дмитриевич») [match: name and birth date, 1.00]"
        );
        assert_eq!(t("relation", "тёща"), "parent in law");
        assert_eq!(t("relation", "бывший муж"), "former spouse");
        assert_eq!(
            t("relation", "вероятно сестра, в анкете не указан(а)"),
            "probably sister, not in the questionnaire"
        );
        assert_eq!(
            t("role", "учредитель 30% (итого 9%)"),
            "founder 30% (in all 9%)"
        );
        // Inside quotes, and inside a word, nothing changes.
        assert_eq!(
            t("company", "ООО «Дом и сын» сыновья"),
            "ООО «Дом и сын» сыновья"
        );
        assert_eq!(
            t("procurement", "победитель закупки 0156300012321000048"),
            "winner of procurement 0156300012321000048"
        );
        assert_eq!(
            english_legal_basis("44-ФЗ ст. 31 ч. 1 п. 9"),
            "44-FZ art. 31 p. 1 i. 9"
        );
    }
}
