//! The language of the report texts (summary.md, report.html, cases.xlsx): Russian by default,
//! English with `--lang en`. Column names of the CSV and JSON outputs are codes, not texts, and
//! stay as they are; evidence is written by the rules in Russian and kept as written.

/// A language of the report texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Russian (the default).
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Parses `ru` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

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

    /// A rule's title.
    pub fn rule_title(self, code: &str) -> &'static str {
        match code {
            "COI-44FZ" => self.pick(
                "Конфликт интересов по 44-ФЗ ст. 31 ч. 1 п. 9",
                "Conflict of interest, 44-FZ art. 31 p. 1 i. 9",
            ),
            "KIN-EXT" => self.pick(
                "Свойство, бывшие супруги, доли до 10% (273-ФЗ ст. 10)",
                "In-laws, former spouses, shares up to 10% (273-FZ art. 10)",
            ),
            "EMPLOYEE" => self.pick(
                "Сотрудники заказчика вне комиссии (273-ФЗ ст. 10)",
                "Customer's staff outside the commission (273-FZ art. 10)",
            ),
            "CONTACT" => self.pick(
                "Общие телефон, e-mail или адрес с должностным лицом",
                "Phone, e-mail or address shared with an official",
            ),
            "BIDDERS" => self.pick(
                "Связанные участники одной закупки",
                "Linked bidders of one procurement",
            ),
            "UNDECLARED" => self.pick(
                "Вероятные родственники, не указанные в анкете",
                "Probable relatives missing from the questionnaire",
            ),
            _ => self.pick("Правило", "Rule"),
        }
    }

    /// An official's role code as words.
    pub fn role(self, code: &str) -> &str {
        let (ru, en) = match code {
            "customer_head" => ("руководитель заказчика", "customer's head"),
            "chair" => ("председатель комиссии", "commission chair"),
            "deputy_chair" => ("заместитель председателя комиссии", "deputy chair"),
            "member" => ("член комиссии", "commission member"),
            "secretary" => ("секретарь комиссии", "commission secretary"),
            "contract_manager" => ("контрактный управляющий", "contract manager"),
            "contract_service_head" => ("руководитель контрактной службы", "contract service head"),
            "employee" => ("сотрудник заказчика", "customer's employee"),
            other => (other, other),
        };
        self.pick(ru, en)
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

    /// Money: `1 234 567,89` in Russian, `1,234,567.89` in English.
    pub fn money(self, v: f64) -> String {
        let cents = (v * 100.0).round() as i64;
        let (int, frac) = (cents / 100, (cents % 100).abs());
        let digits = int.abs().to_string();
        let (group, point) = self.pick_char(('\u{a0}', ','), (',', '.'));
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(ch);
        }
        let sign = if cents < 0 { "-" } else { "" };
        format!("{sign}{grouped}{point}{frac:02}")
    }

    fn pick_char(self, ru: (char, char), en: (char, char)) -> (char, char) {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
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
    }

    #[test]
    fn every_rule_has_a_title_in_both_languages() {
        for r in crate::rules::registry() {
            for l in [Lang::Ru, Lang::En] {
                assert_ne!(
                    l.rule_title(r.code()),
                    l.pick("Правило", "Rule"),
                    "{}",
                    r.code()
                );
            }
        }
    }
}
