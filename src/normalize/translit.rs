//! One Latin "skeleton" for every spelling of a Russian name: Cyrillic letters, Latin
//! look-alikes typed inside Cyrillic words, and the common transliteration schemes
//! (GOST 7.79, ICAO passports, older BGN-style spellings) all fold to the same string.

/// Latin letters that look like Cyrillic ones, as typed by mistake inside Cyrillic words.
pub fn lookalike_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

/// True for a Cyrillic letter.
pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// True for a letter; ASCII and Russian letters without the Unicode tables (names are mostly
/// those, and the tables cost more than the rest of parsing).
pub fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | 'А'..='я' | 'Ѐ'..='Џ' | 'ѐ'..='џ' => true,
        c if c.is_ascii() => false,
        c => c.is_alphabetic(),
    }
}

/// True for the letters [`lower_simple`] handles: ASCII and the basic Cyrillic block.
fn is_simple(c: char) -> bool {
    matches!(c, '\0'..='\u{7f}' | 'Ѐ'..='џ')
}

/// Lower case of an ASCII or basic Cyrillic letter (see [`is_simple`]).
const fn lower_simple(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        // А..Я -> а..я, Ѐ..Џ (Ё among them) -> ѐ..џ.
        'А'..='Я' => match char::from_u32(c as u32 + 0x20) {
            Some(lower) => lower,
            None => c,
        },
        'Ѐ'..='Џ' => match char::from_u32(c as u32 + 0x50) {
            Some(lower) => lower,
            None => c,
        },
        c => c,
    }
}

/// Lower case of a word; ASCII and Russian letters without the Unicode tables.
pub fn lowercase(word: &str) -> String {
    if !word.chars().all(is_simple) {
        return word.to_lowercase();
    }
    word.chars().map(lower_simple).collect()
}

/// The skeleton of one lower-case Cyrillic letter.
const fn cyrillic_skeleton(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'є' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' | 'ы' | 'і' | 'ї' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        _ => "",
    }
}

/// Folds a Latin transliteration to the skeleton (lower case input).
fn latin_skeleton(word: &str) -> String {
    // Multi-letter spellings first, longest first; order matters.
    const RULES: &[(&str, &str)] = &[
        ("shch", "shch"),
        ("sch", "shch"),
        ("tch", "ch"),
        ("zh", "zh"),
        ("kh", "kh"),
        ("ch", "ch"),
        ("sh", "sh"),
        ("ts", "ts"),
        ("tz", "ts"),
        ("tc", "ts"),
        ("ck", "k"),
        ("iya", "iia"),
        ("iyu", "iiu"),
        ("iye", "ie"),
        ("iy", "ii"),
        ("yy", "ii"),
        ("ij", "ii"),
        ("yu", "iu"),
        ("ju", "iu"),
        ("ya", "ia"),
        ("ja", "ia"),
        ("ye", "e"),
        ("je", "e"),
        ("yo", "e"),
        ("jo", "e"),
        ("x", "ks"),
        ("w", "v"),
        ("q", "k"),
        ("h", "kh"),
        ("c", "ts"),
        ("y", "i"),
        ("j", "i"),
    ];
    let mut out = String::with_capacity(word.len() + 4);
    let mut rest = word;
    'outer: while let Some(c) = rest.chars().next() {
        for (from, to) in RULES {
            if rest.starts_with(from) {
                out.push_str(to);
                rest = &rest[from.len()..];
                continue 'outer;
            }
        }
        if c.is_ascii_alphabetic() {
            out.push(c);
        } else if let Some(base) = fold_diacritic(c) {
            out.push(base);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn fold_diacritic(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'ä' | 'â' => 'a',
        'é' | 'è' | 'ë' | 'ê' | 'ě' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ý' | 'ÿ' => 'i',
        'š' => 's',
        'ž' => 'z',
        'č' => 'c',
        _ => return None,
    })
}

/// The skeleton of one word. `in_cyrillic_name` says the name around it is Cyrillic, so
/// Latin look-alike letters are read as the Cyrillic letters they imitate.
pub fn skeleton(word: &str, in_cyrillic_name: bool) -> String {
    let mut out = String::with_capacity(16);
    skeleton_into(word, in_cyrillic_name, &mut out);
    out
}

/// [`skeleton`] appended to `out` (names are parsed into one buffer, a word after another).
pub fn skeleton_into(word: &str, in_cyrillic_name: bool, out: &mut String) {
    if basic_cyrillic_skeleton(word, out) {
        return;
    }
    let mut simple = true;
    let script = Script::of(word.chars().inspect(|&c| simple &= is_simple(c)));
    if simple {
        // Every letter ASCII or basic Cyrillic, whose lower case keeps its script and
        // look-alike class: the one pass holds for the lower case, lowered letter by letter.
        script.push_skeleton(
            in_cyrillic_name,
            word.chars().map(lower_simple),
            || lowercase(word),
            out,
        );
    } else {
        let lower = word.to_lowercase();
        Script::of(lower.chars()).push_skeleton(
            in_cyrillic_name,
            lower.chars(),
            || lower.clone(),
            out,
        );
    }
}

/// The skeletons of the letters U+0400..U+045F (the basic Cyrillic block, `Ѐ` to `џ`) by
/// their offset in it, each as its length and bytes: what [`Script::push_skeleton`] writes for
/// a word of them, case folded by [`lower_simple`].
static BASIC_CYRILLIC: [(u8, [u8; 4]); 0x60] = {
    let mut table = [(0u8, [0u8; 4]); 0x60];
    let mut i = 0;
    while i < 0x60 {
        let text = match char::from_u32(0x400 + i as u32) {
            Some(c) => cyrillic_skeleton(lower_simple(c)).as_bytes(),
            None => b"",
        };
        let mut k = 0;
        while k < text.len() {
            // `basic_cyrillic_skeleton` relies on it.
            assert!(text[k].is_ascii(), "a skeleton is ASCII");
            table[i].1[k] = text[k];
            k += 1;
        }
        table[i].0 = text.len() as u8;
        i += 1;
    }
    table
};

/// Whether the two bytes `lead`, `next` of UTF-8 are a letter of the basic Cyrillic block
/// (U+0400..U+045F: D0 80..BF, D1 80..9F).
pub(super) fn is_basic_cyrillic(lead: u8, next: u8) -> bool {
    matches!((lead, next), (0xD0, 0x80..=0xBF) | (0xD1, 0x80..=0x9F))
}

/// [`skeleton_into`] for a word of basic Cyrillic letters only (nearly every word of a Russian
/// name), read off [`BASIC_CYRILLIC`] two bytes at a time; false, writing nothing, for any
/// other word.
fn basic_cyrillic_skeleton(word: &str, out: &mut String) -> bool {
    let bytes = word.as_bytes();
    let basic = |pair: &[u8]| is_basic_cyrillic(pair[0], pair[1]);
    if bytes.is_empty() || bytes.len() % 2 != 0 || !bytes.chunks_exact(2).all(basic) {
        return false;
    }
    // Each letter's four bytes are copied whole, then the length kept moves on.
    let mut buf = [0u8; 4 * 32];
    for letters in bytes.chunks(2 * 32) {
        let mut n = 0;
        for pair in letters.chunks_exact(2) {
            let offset = (usize::from(pair[0] & 1) << 6) | usize::from(pair[1] & 0x3F);
            let (len, text) = BASIC_CYRILLIC[offset];
            buf[n..n + 4].copy_from_slice(&text);
            n += usize::from(len);
        }
        // SAFETY: every byte written to `buf[..n]` is from BASIC_CYRILLIC, whose bytes are
        // ASCII (asserted as the table is built), so they are UTF-8.
        out.push_str(unsafe { std::str::from_utf8_unchecked(&buf[..n]) });
    }
    true
}

/// What a word's letters say of its script.
struct Script {
    /// Some letter is Cyrillic.
    has_cyrillic: bool,
    /// Every letter is Cyrillic or a Latin look-alike of one.
    all_lookalike: bool,
}

impl Script {
    fn of(letters: impl Iterator<Item = char>) -> Script {
        let mut script = Script {
            has_cyrillic: false,
            all_lookalike: true,
        };
        for c in letters {
            let cyrillic = is_cyrillic(c);
            script.has_cyrillic |= cyrillic;
            script.all_lookalike &= cyrillic || lookalike_to_cyrillic(c).is_some();
        }
        script
    }

    /// Appends the skeleton of the word whose lower-case letters `lower` yields: read as
    /// Cyrillic (look-alikes as the letters they imitate) when it has a Cyrillic letter, or is
    /// all look-alikes inside a Cyrillic name; else by the Latin rules, on `latin`'s text.
    fn push_skeleton(
        &self,
        in_cyrillic_name: bool,
        lower: impl Iterator<Item = char>,
        latin: impl FnOnce() -> String,
        out: &mut String,
    ) {
        if !(self.has_cyrillic || (in_cyrillic_name && self.all_lookalike)) {
            out.push_str(&latin_skeleton(&latin()));
            return;
        }
        for c in lower {
            let c = lookalike_to_cyrillic(c).map_or(c, lower_simple);
            if is_cyrillic(c) {
                out.push_str(cyrillic_skeleton(c));
            } else if c.is_ascii_alphabetic() {
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_lowercase_and_letters_agree_with_unicode() {
        for w in [
            "ИВАНОВ",
            "Ёлкин",
            "Mary-Ann",
            "ЃЌЎ",
            "Straße",
            "ΣΟΦΙΑ",
            "Іван",
            "ǅemal",
        ] {
            assert_eq!(lowercase(w), w.to_lowercase(), "{w}");
        }
        for c in ('\0'..='\u{600}').chain(['ǅ', '€', '№']) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
        }
    }

    /// The reference skeleton: the script and look-alike tests on the lower-case letters, then
    /// the letters one by one.
    fn reference(w: &str, in_cyrillic: bool) -> String {
        let lower = w.to_lowercase();
        let mut out = String::new();
        Script::of(lower.chars()).push_skeleton(
            in_cyrillic,
            lower.chars(),
            || lower.clone(),
            &mut out,
        );
        out
    }

    #[test]
    fn one_pass_over_a_word_gives_the_skeleton_of_its_lower_case() {
        let words = [
            "ИВАНОВА",
            "Мaрия",
            "МАРИЯ",
            "MAPИЯ",
            "COM",
            "Ёлкин",
            "ёлкин",
            "Pyotr",
            "PETROV",
            "Straße",
            "José",
            "ΣΟΦΙΑ",
            "Іван",
            "Ўсенка",
            "ǅemal",
            "Х",
            "x",
            "ТОМ",
            "TOM",
            "Tom",
            "Кузнецов-Шмидт",
            "O'Коннор",
            "ЩЁКИН",
            "Ьь",
            "",
            "123",
            "Аnna",
        ];
        for w in words {
            for in_cyrillic in [false, true] {
                let mut got = String::new();
                skeleton_into(w, in_cyrillic, &mut got);
                assert_eq!(
                    got,
                    reference(w, in_cyrillic),
                    "{w} in a Cyrillic name: {in_cyrillic}"
                );
            }
        }
    }

    #[test]
    fn the_basic_cyrillic_table_gives_the_skeletons_of_the_letter_by_letter_pass() {
        // Every letter of the block alone, beside each other letter (and its case), and
        // words longer than the table's buffer; words with any other letter are refused.
        let letters: Vec<char> = ('\u{400}'..='\u{45F}').collect();
        let mut words: Vec<String> = Vec::new();
        for &a in &letters {
            words.push(a.to_string());
            for &b in &letters {
                words.push([a, b].iter().collect());
            }
        }
        words.push("Щ".repeat(31));
        words.push("щ".repeat(32));
        words.push("ШЕРЕМЕТЬЕВА".repeat(7));
        for w in &words {
            let mut got = String::from("prefix ");
            assert!(basic_cyrillic_skeleton(w, &mut got), "{w}");
            assert_eq!(got, format!("prefix {}", reference(w, true)), "{w}");
        }
        for w in [
            "",
            "Ѡ",
            "Ivan",
            "Мaрия",
            "Іван\u{0301}",
            "Ґалина",
            "Петр-",
            "ж ",
        ] {
            let mut got = String::from("kept");
            let basic = w.chars().all(|c| ('\u{400}'..='\u{45F}').contains(&c)) && !w.is_empty();
            assert_eq!(basic_cyrillic_skeleton(w, &mut got), basic, "{w}");
            if !basic {
                assert_eq!(got, "kept", "{w}");
            }
        }
    }

    fn sk(w: &str) -> String {
        skeleton(w, w.chars().any(is_cyrillic))
    }

    #[test]
    fn cyrillic_and_transliterations_meet() {
        for (cyr, lat) in [
            ("Мария", "Mariya"),
            ("Наталья", "Natalya"),
            ("Татьяна", "Tatiana"),
            ("Дмитрий", "Dmitriy"),
            ("Сергей", "Sergey"),
            ("Юрий", "Yuriy"),
            ("Алексей", "Alexey"),
            ("Пётр", "Pyotr"),
            ("Евгений", "Yevgeniy"),
            ("Щукин", "Shchukin"),
            ("Жуков", "Zhukov"),
            ("Цветков", "Tsvetkov"),
            ("Хабаров", "Khabarov"),
            ("Ольга", "Olga"),
            ("Крылов", "Krylov"),
            ("Васильевич", "Vasilyevich"),
        ] {
            assert_eq!(sk(cyr), sk(lat), "{cyr} / {lat}");
        }
    }

    #[test]
    fn yo_and_ye_fold() {
        assert_eq!(sk("Артём"), sk("Артем"));
        assert_eq!(sk("Семёнов"), sk("Семенов"));
    }

    #[test]
    fn lookalikes_inside_cyrillic_words() {
        // Latin 'o', 'a', 'H', 'C' typed inside Cyrillic words.
        assert_eq!(sk("Ивaнoвa"), sk("Иванова"));
        assert_eq!(sk("Hиколаевна"), sk("Николаевна"));
        assert_eq!(skeleton("CEMEH", true), sk("Семен"));
        // A whole Latin word outside a Cyrillic name is a transliteration.
        assert_eq!(skeleton("Sem", false), "sem");
    }
}
