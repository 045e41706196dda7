//! The generator's noise model: how names and dates get mangled on their way into real
//! exports. Deliberately written apart from the matcher.

use super::rng::Rng;

/// Probabilities of each kind of noise on one written name.
#[derive(Clone, Copy, Debug)]
pub struct Noise {
    /// One typing error (substitution, deletion, transposition, doubled letter).
    pub typo: f64,
    /// One or two Cyrillic letters typed as their Latin twins.
    pub lookalike: f64,
    /// All upper case.
    pub upper: f64,
    /// ё written as е.
    pub yo: f64,
    /// Given name and patronymic first, surname last.
    pub order: f64,
    /// Doubled or stray spaces.
    pub spaces: f64,
    /// Patronymic left out.
    pub no_patronymic: f64,
}

/// The noise the project develops against.
pub const STANDARD: Noise = Noise {
    typo: 0.05,
    lookalike: 0.03,
    upper: 0.25,
    yo: 0.6,
    order: 0.03,
    spaces: 0.05,
    no_patronymic: 0.02,
};

/// A harsher mix kept for held-out checks: more typos, look-alikes, reordering, upper case and
/// spacing. Dropped patronymics stay at the standard share: a name without patronymic and without
/// a birth date is not enough to link by design, so more of them only measures that choice.
pub const HEAVY: Noise = Noise {
    typo: 0.12,
    lookalike: 0.08,
    upper: 0.4,
    yo: 0.8,
    order: 0.1,
    spaces: 0.1,
    no_patronymic: 0.02,
};

/// Cyrillic letters and the Latin letters that look like them.
const TWINS: &[(char, char)] = &[
    ('а', 'a'),
    ('е', 'e'),
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('х', 'x'),
    ('у', 'y'),
    ('к', 'k'),
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
];

const LETTERS: &[char] = &[
    'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т', 'у',
    'ф', 'х', 'ч', 'ш', 'ы', 'я',
];

fn typo(rng: &mut Rng, word: &str) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 4 {
        return word.to_owned();
    }
    // Not the first letter: people rarely mistype it.
    let i = 1 + rng.below(c.len() - 2);
    match rng.below(4) {
        0 => c[i] = *rng.pick(LETTERS),
        1 => {
            c.remove(i);
        }
        2 => c.swap(i, i + 1),
        _ => {
            let x = c[i];
            c.insert(i, x);
        }
    }
    c.into_iter().collect()
}

/// A full name `Фамилия Имя Отчество` as it may appear in a registry export.
pub fn noisy_name(rng: &mut Rng, full: &str, n: &Noise) -> String {
    let mut words: Vec<String> = full.split(' ').map(str::to_owned).collect();
    if words.len() == 3 && rng.chance(n.no_patronymic) {
        words.pop();
    }
    if rng.chance(n.typo) {
        let w = rng.below(words.len());
        words[w] = typo(rng, &words[w]);
    }
    if words.len() == 3 && rng.chance(n.order) {
        words.rotate_left(1);
    }
    let mut s = words.join(if rng.chance(n.spaces) { "  " } else { " " });
    if rng.chance(n.yo) {
        s = s.replace('ё', "е").replace('Ё', "Е");
    }
    if rng.chance(n.upper) {
        s = s.to_uppercase();
    }
    if rng.chance(n.lookalike) {
        for _ in 0..1 + rng.below(2) {
            let chars: Vec<char> = s.chars().collect();
            let spots: Vec<usize> = (0..chars.len())
                .filter(|&i| TWINS.iter().any(|(c, _)| *c == chars[i]))
                .collect();
            if spots.is_empty() {
                break;
            }
            let at = *rng.pick(&spots);
            let twin = TWINS.iter().find(|(c, _)| *c == chars[at]).map(|t| t.1);
            s = chars
                .iter()
                .enumerate()
                .map(|(i, c)| if i == at { twin.unwrap_or(*c) } else { *c })
                .collect();
        }
    }
    if rng.chance(n.spaces / 2.0) {
        s = format!(" {s} ");
    }
    s
}

/// How a procurement protocol names a commission member.
pub fn protocol_name(rng: &mut Rng, surname: &str, given: &str, patronymic: &str) -> String {
    let i = |w: &str| w.chars().next().map(|c| c.to_string()).unwrap_or_default();
    match rng.below(10) {
        0..=4 => format!("{surname} {}.{}.", i(given), i(patronymic)),
        5 => format!("{}. {}. {surname}", i(given), i(patronymic)),
        6 => format!("{surname} {}. {}.", i(given), i(patronymic)),
        _ => format!("{surname} {given} {patronymic}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_use_initials() {
        let mut rng = Rng::new(3, 3);
        let names: Vec<String> = (0..50)
            .map(|_| protocol_name(&mut rng, "Иванова", "Мария", "Петровна"))
            .collect();
        assert!(names.contains(&"Иванова М.П.".to_owned()));
        assert!(names.contains(&"Иванова Мария Петровна".to_owned()));
    }

    #[test]
    fn noise_changes_names_but_not_always() {
        let mut rng = Rng::new(5, 5);
        let out: Vec<String> = (0..200)
            .map(|_| noisy_name(&mut rng, "Соловьёва Алёна Петровна", &HEAVY))
            .collect();
        assert!(out.iter().any(|s| s == "Соловьева Алена Петровна"));
        assert!(out
            .iter()
            .any(|s| s.chars().any(|c| c.is_ascii_alphabetic())));
        assert!(out
            .iter()
            .any(|s| s.starts_with("Алёна") || s.starts_with("Алена") || s.starts_with("АЛЕНА")));
    }
}
