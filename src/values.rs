//! Parsers for cell values: dates, booleans, money, shares, kinship and role words.

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

pub use crate::model::Share;
use crate::model::{BirthDate, CompanyRoleKind, Date, Kinship, SeatRole};

/// An Excel serial day number, as a date cell exported as a number gives it (`44197` is
/// 01.01.2021; a time of day after the point is dropped): 10000 (1927) to 80000 (2119) only, so
/// that a bare year or a short number is never read as one.
fn excel_serial(s: &str) -> Option<Date> {
    let int = s.split_once('.').map_or(s, |(i, f)| {
        if f.bytes().all(|b| b.is_ascii_digit()) {
            i
        } else {
            ""
        }
    });
    if int.len() != 5 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = int.parse().ok()?;
    if !(10_000..=80_000).contains(&n) {
        return None;
    }
    // Day 0 is 30.12.1899 (Excel counts a 29.02.1900 that never was, before day 61).
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(n))
}

/// Parses `YYYY-MM-DD`, `DD.MM.YYYY`, `DD.MM.YY` (a two-digit year is read in 1930-2029) or an
/// Excel serial day number (see `excel_serial`); a time part after a space is ignored.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.split_whitespace().next()?;
    // The two exact shapes exports use, without a format parser; anything else goes to chrono.
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10 {
        let ymd = if b[4] == b'-' && b[7] == b'-' {
            num(0..4)
                .zip(num(5..7))
                .zip(num(8..10))
                .map(|((y, m), d)| (y, m, d))
        } else if b[2] == b'.' && b[5] == b'.' {
            num(6..10)
                .zip(num(3..5))
                .zip(num(0..2))
                .map(|((y, m), d)| (y, m, d))
        } else {
            None
        };
        if let Some((y, m, d)) = ymd {
            return NaiveDate::from_ymd_opt(y as i32, m, d).filter(|_| y >= 1000);
        }
    }
    if b.len() == 8 && b[2] == b'.' && b[5] == b'.' {
        if let (Some(d), Some(m), Some(y)) = (num(0..2), num(3..5), num(6..8)) {
            let y = if y < 30 { 2000 + y } else { 1900 + y };
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    if let Some(d) = excel_serial(s) {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .ok()
        .filter(|d| chrono::Datelike::year(d) >= 1000)
}

/// Parses a birth date: a full date or a bare year `YYYY`.
pub fn parse_birth_date(s: &str) -> Option<BirthDate> {
    let t = s.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse().ok()?;
        return (1880..=2100).contains(&y).then_some(BirthDate::Year(y));
    }
    parse_date(t).map(BirthDate::Full)
}

/// Parses a boolean: 1/0, true/false, да/нет, yes/no (case-insensitive).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "1" | "true" | "да" | "yes" | "y" | "д" | "+" => Some(true),
        "0" | "false" | "нет" | "no" | "n" | "н" | "-" => Some(false),
        _ => None,
    }
}

/// Parses a decimal with `.` or `,`, spaces between digit groups, and a currency after it
/// (`1 250 000,50 руб.`, `990 р.`, `15₽`).
pub fn parse_decimal(s: &str) -> Option<f64> {
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return s.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let mut t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect::<String>()
        .to_lowercase();
    for currency in ["руб.", "руб", "р.", "₽", "rub", "rur"] {
        if let Some(amount) = t.strip_suffix(currency) {
            t.truncate(amount.len());
            break;
        }
    }
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a non-negative decimal exactly (`12,5` -> 25/2).
pub fn parse_exact_decimal(s: &str) -> Option<BigRational> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.replace(',', ".");
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t.as_str(), ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let num: BigInt = digits.parse().ok()?;
    let den = BigInt::from(10u32).pow(frac.len() as u32);
    Some(BigRational::new(num, den))
}

/// How a file writes its shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareScale {
    /// `60` means 60%.
    Percent,
    /// `0.6` means 60%.
    Fraction,
}

/// Decides the scale of a share column: fractions when every plain number is at most 1
/// and one of them has a decimal part; percent otherwise.
pub fn detect_share_scale<'a>(cells: impl Iterator<Item = &'a str>) -> ShareScale {
    let mut any_decimal = false;
    for c in cells {
        let c = c.trim();
        if c.is_empty() || c.contains('%') || c.contains('/') {
            continue;
        }
        match parse_exact_decimal(c) {
            Some(v) if v > BigRational::one() => return ShareScale::Percent,
            Some(_) if c.contains(['.', ',']) => any_decimal = true,
            _ => {}
        }
    }
    if any_decimal {
        ShareScale::Fraction
    } else {
        ShareScale::Percent
    }
}

/// Parses a share: `60`, `60%`, `12,5`, `0.6` (fraction scale), `1/3`. Result in 0..=1.
pub fn parse_share(s: &str, scale: ShareScale) -> Option<Share> {
    let t = s.trim();
    let v = if let Some((n, d)) = t.split_once('/') {
        let n = parse_exact_decimal(n)?;
        let d = parse_exact_decimal(d)?;
        if d.is_zero() {
            return None;
        }
        n / d
    } else if let Some(p) = t.strip_suffix('%') {
        parse_exact_decimal(p)? / BigRational::from_integer(100.into())
    } else {
        let v = parse_exact_decimal(t)?;
        match scale {
            ShareScale::Percent => v / BigRational::from_integer(100.into()),
            ShareScale::Fraction => v,
        }
    };
    (v <= BigRational::one()).then_some(v)
}

/// Formats a share as a percentage for people: `60%`, `12.5%`, `33.33%`.
pub fn share_percent_text(s: &Share) -> String {
    let pct = s * BigRational::from_integer(100.into());
    if pct.is_integer() {
        return format!("{}%", pct.to_integer());
    }
    let hundredths = (pct * BigRational::from_integer(100.into()))
        .round()
        .to_integer();
    let v = hundredths.to_string().parse::<f64>().unwrap_or(0.0) / 100.0;
    let mut text = format!("{v:.2}");
    while text.ends_with('0') {
        text.pop();
    }
    format!("{}%", text.trim_end_matches('.'))
}

/// Folds a word for dictionary look-up: lower case, ё -> е, single spaces, no brackets.
pub fn fold_word(s: &str) -> String {
    let lower = s.to_lowercase().replace('ё', "е");
    lower
        .replace(['(', ')'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a kinship word of the HR questionnaire (Russian or English).
pub fn parse_kinship(s: &str) -> Option<Kinship> {
    use Kinship::*;
    let w = fold_word(s).replace(['-', '_'], " ");
    let k = match w.as_str() {
        "муж" | "жена" | "супруг" | "супруга" | "супруг а" | "spouse" | "husband" | "wife" => {
            Spouse
        }
        "отец" | "мать" | "родитель" | "father" | "mother" | "parent" => Parent,
        "сын" | "дочь" | "ребенок" | "son" | "daughter" | "child" => Child,
        "дедушка" | "бабушка" | "дед" | "бабка" | "grandfather" | "grandmother" | "grandparent" => {
            Grandparent
        }
        "внук" | "внучка" | "grandson" | "granddaughter" | "grandchild" => Grandchild,
        "брат"
        | "сестра"
        | "родной брат"
        | "родная сестра"
        | "полнородный брат"
        | "полнородная сестра"
        | "brother"
        | "sister"
        | "sibling" => Sibling,
        "единокровный брат"
        | "единокровная сестра"
        | "единоутробный брат"
        | "единоутробная сестра"
        | "неполнородный брат"
        | "неполнородная сестра"
        | "half brother"
        | "half sister"
        | "half sibling" => HalfSibling,
        "усыновитель"
        | "удочеритель"
        | "усыновительница"
        | "adoptive father"
        | "adoptive mother"
        | "adoptive parent" => AdoptiveParent,
        "усыновленный"
        | "усыновленная"
        | "удочеренная"
        | "усыновленный сын"
        | "удочеренная дочь"
        | "adopted son"
        | "adopted daughter"
        | "adopted child" => AdoptedChild,
        "свекор" | "свекровь" | "тесть" | "теща" | "father in law" | "mother in law"
        | "parent in law" => ParentInLaw,
        "зять" | "невестка" | "сноха" | "son in law" | "daughter in law" | "child in law" => {
            ChildInLaw
        }
        "деверь"
        | "золовка"
        | "шурин"
        | "свояченица"
        | "свояк"
        | "brother in law"
        | "sister in law"
        | "sibling in law" => SiblingInLaw,
        "отчим" | "мачеха" | "stepfather" | "stepmother" | "step father" | "step mother"
        | "step parent" => StepParent,
        "пасынок" | "падчерица" | "stepson" | "stepdaughter" | "step son" | "step daughter"
        | "step child" => StepChild,
        "сводный брат"
        | "сводная сестра"
        | "stepbrother"
        | "stepsister"
        | "step brother"
        | "step sister"
        | "step sibling" => StepSibling,
        "бывший муж"
        | "бывшая жена"
        | "бывший супруг"
        | "бывшая супруга"
        | "бывший супруг а"
        | "ex husband"
        | "ex wife"
        | "former husband"
        | "former wife"
        | "former spouse"
        | "ex spouse" => FormerSpouse,
        _ => return None,
    };
    Some(k)
}

/// Parses a company role code or its usual Russian name.
pub fn parse_company_role(s: &str) -> Option<CompanyRoleKind> {
    use CompanyRoleKind::*;
    let w = fold_word(s).replace('-', " ");
    let r = match w.as_str() {
        "director"
        | "директор"
        | "генеральный директор"
        | "руководитель"
        | "president"
        | "президент"
        | "ceo" => Director,
        "founder" | "учредитель" | "участник" | "shareholder" | "акционер" => {
            Founder
        }
        "beneficiary" | "бенефициар" | "бенефициарный владелец" => {
            Beneficiary
        }
        "board_member" | "board member" | "член правления" | "член коллегиального органа" => {
            BoardMember
        }
        "managing_company"
        | "managing company"
        | "управляющая компания"
        | "управляющая организация" => ManagingCompany,
        _ => return None,
    };
    Some(r)
}

/// Parses a commission role code or its usual Russian name.
pub fn parse_seat_role(s: &str) -> Option<SeatRole> {
    use SeatRole::*;
    let w = fold_word(s).replace('-', " ");
    let r = match w.as_str() {
        "customer_head" | "руководитель заказчика" => CustomerHead,
        "chair" | "председатель" | "председатель комиссии" => Chair,
        "deputy_chair" | "заместитель председателя" | "заместитель председателя комиссии" => {
            DeputyChair
        }
        "member" | "член" | "член комиссии" => Member,
        "secretary" | "секретарь" | "секретарь комиссии" => Secretary,
        "contract_manager" | "контрактный управляющий" => ContractManager,
        "contract_service_head" | "руководитель контрактной службы" => {
            ContractServiceHead
        }
        _ => return None,
    };
    Some(r)
}

/// Shares as percentages, in order: `30%, 60%`.
pub fn shares_text(shares: &[Share]) -> String {
    shares
        .iter()
        .map(share_percent_text)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn dates_in_both_formats() {
        let d = NaiveDate::from_ymd_opt(2021, 3, 5).unwrap();
        assert_eq!(parse_date("2021-03-05"), Some(d));
        assert_eq!(parse_date("05.03.2021"), Some(d));
        assert_eq!(parse_date("5.3.2021"), Some(d));
        assert_eq!(parse_date("2021-03-05 00:00:00"), Some(d));
        assert_eq!(parse_date("31.02.2021"), None);
        assert_eq!(parse_date("2021-02-31"), None);
        assert_eq!(parse_date("05.03.0999"), None);
        assert_eq!(parse_date("0x.03.2021"), None);
        assert_eq!(parse_date("вчера"), None);
    }

    #[test]
    fn short_years_and_excel_serials() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(parse_date("05.03.21"), d(2021, 3, 5));
        assert_eq!(parse_date("05.11.65"), d(1965, 11, 5));
        assert_eq!(parse_date("31.12.29"), d(2029, 12, 31));
        assert_eq!(parse_date("01.01.30"), d(1930, 1, 1));
        assert_eq!(parse_date("31.02.21"), None);
        // Excel's day numbers: 44197 is 01.01.2021, 25569 is 01.01.1970; a time part dropped.
        assert_eq!(parse_date("44197"), d(2021, 1, 1));
        assert_eq!(parse_date("25569"), d(1970, 1, 1));
        assert_eq!(parse_date("44197.75"), d(2021, 1, 1));
        assert_eq!(parse_date("9999"), None);
        assert_eq!(parse_date("80001"), None);
        assert_eq!(parse_date("44197.x"), None);
        // A four-digit birth date stays a year, a five-digit one is a day number.
        assert_eq!(parse_birth_date("1975"), Some(BirthDate::Year(1975)));
        assert_eq!(
            parse_birth_date("27395"),
            d(1975, 1, 1).map(BirthDate::Full)
        );
    }

    #[test]
    fn money_with_currency() {
        assert_eq!(parse_decimal("1 250 000,50 руб."), Some(1_250_000.5));
        assert_eq!(parse_decimal("990 р."), Some(990.0));
        assert_eq!(parse_decimal("15₽"), Some(15.0));
        assert_eq!(parse_decimal("3\u{a0}000 РУБ"), Some(3000.0));
        assert_eq!(parse_decimal("12 долларов"), None);
    }

    #[test]
    fn birth_dates_accept_bare_years() {
        assert_eq!(parse_birth_date("1980"), Some(BirthDate::Year(1980)));
        assert_eq!(parse_birth_date("0001"), None);
        let full = parse_birth_date("12.04.1980").unwrap();
        assert_eq!(
            full.compare(&BirthDate::Year(1980)),
            crate::model::DateAgreement::Year
        );
        assert_eq!(
            full.compare(&parse_birth_date("13.04.1980").unwrap()),
            crate::model::DateAgreement::Disagree
        );
    }

    #[test]
    fn booleans_in_russian_and_english() {
        for t in ["1", "true", "Да", "YES"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "False", "нет", "no"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("может быть"), None);
    }

    #[test]
    fn decimals_with_comma_and_spaces() {
        assert_eq!(parse_decimal("1 234 567,89"), Some(1234567.89));
        assert_eq!(parse_decimal("1234.5"), Some(1234.5));
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn shares_are_exact() {
        assert_eq!(parse_share("60", ShareScale::Percent), Some(r(3, 5)));
        assert_eq!(parse_share("12,5", ShareScale::Percent), Some(r(1, 8)));
        assert_eq!(parse_share("60%", ShareScale::Fraction), Some(r(3, 5)));
        assert_eq!(parse_share("0.6", ShareScale::Fraction), Some(r(3, 5)));
        assert_eq!(parse_share("1/3", ShareScale::Percent), Some(r(1, 3)));
        assert_eq!(parse_share("150", ShareScale::Percent), None);
        assert_eq!(parse_share("1/0", ShareScale::Percent), None);
        assert_eq!(share_percent_text(&r(1, 3)), "33.33%");
        assert_eq!(share_percent_text(&r(3, 20)), "15%");
        assert_eq!(share_percent_text(&r(1, 8)), "12.5%");
    }

    #[test]
    fn share_scale_is_detected_per_column() {
        assert_eq!(
            detect_share_scale(["0.5", "0,25", ""].into_iter()),
            ShareScale::Fraction
        );
        assert_eq!(
            detect_share_scale(["0.5", "60"].into_iter()),
            ShareScale::Percent
        );
        assert_eq!(
            detect_share_scale(["1", "1"].into_iter()),
            ShareScale::Percent
        );
    }

    #[test]
    fn kinship_words() {
        assert_eq!(parse_kinship("Сестра"), Some(Kinship::Sibling));
        assert_eq!(parse_kinship("супруг(а)"), Some(Kinship::Spouse));
        assert_eq!(
            parse_kinship("Единокровный брат"),
            Some(Kinship::HalfSibling)
        );
        assert_eq!(parse_kinship("удочерённая"), Some(Kinship::AdoptedChild));
        assert_eq!(parse_kinship("тёща"), Some(Kinship::ParentInLaw));
        assert_eq!(parse_kinship("Свёкор"), Some(Kinship::ParentInLaw));
        assert_eq!(parse_kinship("бывшая жена"), Some(Kinship::FormerSpouse));
        assert_eq!(parse_kinship("сводный брат"), Some(Kinship::StepSibling));
        assert_eq!(parse_kinship("half-sister"), Some(Kinship::HalfSibling));
        assert_eq!(parse_kinship("кум"), None);
        assert!(!Kinship::ParentInLaw.is_44fz_close());
        assert!(Kinship::Grandchild.is_44fz_close());
        assert_eq!(Kinship::Grandparent.inverse(), Kinship::Grandchild);
    }
}
