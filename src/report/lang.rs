//! The language of the report texts (summary.md, report.html, cases.xlsx): Russian by default,
//! English with `--lang en`. Column names of the CSV and JSON outputs are codes, not texts, and
//! stay as they are, as does their evidence (in Russian); in English the page and the workbook
//! say the evidence's typed steps in English ([`super::evidence`]).

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
    /// (`seat_words`), `employee` for the customer's staff.
    pub fn role(self, code: &str) -> &str {
        if code == "employee" {
            return self.pick("сотрудник заказчика", "customer's employee");
        }
        match crate::values::parse_seat_role(code) {
            Some(seat) => {
                let (ru, en) = seat_words(seat);
                self.pick(ru, en)
            }
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

/// A seat in Russian and in English.
pub fn seat_words(seat: SeatRole) -> (&'static str, &'static str) {
    match seat {
        SeatRole::CustomerHead => ("руководитель заказчика", "customer's head"),
        SeatRole::Chair => ("председатель комиссии", "commission chair"),
        SeatRole::DeputyChair => (
            "заместитель председателя комиссии",
            "deputy commission chair",
        ),
        SeatRole::Member => ("член комиссии", "commission member"),
        SeatRole::Secretary => ("секретарь комиссии", "commission secretary"),
        SeatRole::ContractManager => ("контрактный управляющий", "contract manager"),
        SeatRole::ContractServiceHead => {
            ("руководитель контрактной службы", "contract service head")
        }
    }
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
    fn legal_basis_is_put_in_english() {
        assert_eq!(
            english_legal_basis("44-ФЗ ст. 31 ч. 1 п. 9"),
            "44-FZ art. 31 p. 1 i. 9"
        );
    }
}
