//! Russian identifiers: INN, OGRN, OGRNIP check digits (see DOMAIN.md).

/// The kind of a valid taxpayer number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InnKind {
    /// 10 digits: an organisation.
    Organisation,
    /// 12 digits: a natural person (and an individual entrepreneur).
    Person,
}

/// Weights of the 10-digit INN's check digit.
const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the 12-digit INN's 11th digit.
const W12_11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the 12-digit INN's 12th digit.
const W12_12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// Checks an INN's check digits; returns its kind when valid.
pub fn inn_kind(inn: &str) -> Option<InnKind> {
    let d = digits(inn)?;
    match d.len() {
        10 => (weighted(&d, &W10) == d[9]).then_some(InnKind::Organisation),
        12 => {
            let c11 = weighted(&d, &W12_11);
            let c12 = weighted(&d, &W12_12);
            (c11 == d[10] && c12 == d[11]).then_some(InnKind::Person)
        }
        _ => None,
    }
}

fn text(d: &[u32]) -> String {
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect()
}

/// A valid organisation INN whose first nine digits are `body` (mod 10^9), for synthetic data.
pub fn org_inn_from(body: u64) -> String {
    let mut d = digits(&format!("{:09}", body % 1_000_000_000)).unwrap_or_default();
    d.push(weighted(&d, &W10));
    text(&d)
}

/// A valid personal INN whose first ten digits are `body` (mod 10^10), for synthetic data.
pub fn person_inn_from(body: u64) -> String {
    let mut d = digits(&format!("{:010}", body % 10_000_000_000)).unwrap_or_default();
    d.push(weighted(&d, &W12_11));
    d.push(weighted(&d, &W12_12));
    text(&d)
}

/// A valid OGRN: `1`, then `body` (mod 10^11) in eleven digits, then the check digit.
pub fn ogrn_from(body: u64) -> String {
    let s = format!("1{:011}", body % 100_000_000_000);
    let n: u64 = s.parse().unwrap_or(0);
    format!("{s}{}", n % 11 % 10)
}

/// True when `inn` is a 10- or 12-digit INN with correct check digits.
pub fn inn_valid(inn: &str) -> bool {
    inn_kind(inn).is_some()
}

/// Checks OGRN (13 digits) or OGRNIP (15 digits).
pub fn ogrn_valid(ogrn: &str) -> bool {
    if !ogrn.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, modulus) = match ogrn.len() {
        13 => (&ogrn[..12], 11u64),
        15 => (&ogrn[..14], 13u64),
        _ => return false,
    };
    let n: u64 = body.parse().unwrap_or(0);
    let check = (n % modulus % 10) as u8;
    ogrn.as_bytes()[ogrn.len() - 1] - b'0' == check
}

/// Outcome of cleaning an INN cell.
#[derive(Debug, PartialEq, Eq)]
pub enum InnCheck {
    /// Valid as written (spaces removed).
    Valid(crate::model::Text),
    /// Valid after restoring a leading zero lost by a spreadsheet.
    Restored(crate::model::Text),
    /// Not a valid INN.
    Invalid,
}

/// Cleans an INN cell: strips spaces, restores one lost leading zero when that makes it valid.
pub fn clean_inn(raw: &str) -> InnCheck {
    let s: crate::model::Text = if raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.into()
    } else {
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    };
    if inn_valid(&s) {
        return InnCheck::Valid(s);
    }
    if (s.len() == 9 || s.len() == 11) && s.bytes().all(|b| b.is_ascii_digit()) {
        let padded = crate::model::Text::from(format!("0{s}"));
        if inn_valid(&padded) {
            return InnCheck::Restored(padded);
        }
    }
    InnCheck::Invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_inn_checksum() {
        // Sberbank's public INN.
        assert_eq!(inn_kind("7707083893"), Some(InnKind::Organisation));
        assert_eq!(inn_kind("7707083894"), None);
    }

    #[test]
    fn person_inn_checksum() {
        assert_eq!(inn_kind("500100732259"), Some(InnKind::Person));
        assert_eq!(inn_kind("500100732258"), None);
        assert_eq!(inn_kind("50010073225"), None);
        assert_eq!(inn_kind("50010073225x"), None);
    }

    #[test]
    fn ogrn_and_ogrnip_checksum() {
        assert!(ogrn_valid("1027700132195"));
        assert!(!ogrn_valid("1027700132196"));
        assert!(ogrn_valid("304500116000157"));
        assert!(!ogrn_valid("304500116000158"));
        assert!(!ogrn_valid("10277001321"));
    }

    #[test]
    fn lost_leading_zero_is_restored() {
        // 0274062111 is a valid 10-digit INN (Bashkortostan region code 02).
        assert!(inn_valid("0274062111"));
        assert_eq!(
            clean_inn("274062111"),
            InnCheck::Restored("0274062111".into())
        );
        assert_eq!(
            clean_inn(" 7707 083893 "),
            InnCheck::Valid("7707083893".into())
        );
        assert_eq!(clean_inn("123"), InnCheck::Invalid);
    }
}
