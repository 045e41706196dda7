//! Parsing a Russian full name into its parts, each as a skeleton (see [`super::translit`]).

use std::borrow::Cow;
use std::sync::OnceLock;

use smallvec::SmallVec;

use super::translit::{is_basic_cyrillic, is_cyrillic, is_letter, skeleton, skeleton_into};
use crate::model::{sym, Sex, Sym};

/// One part of a name: a whole word or an initial, interned (a few thousand given names,
/// patronymics and surnames cover millions of records). Eight bytes, one interned text: an
/// initial's is its skeleton after a mark (`.`) that no skeleton holds, so that a name
/// takes 40 bytes instead of 56 (a mention of every person named, 23 million at national scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Part(Sym);

/// What a [`Part`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// A whole word (skeleton).
    Full(Sym),
    /// An initial (skeleton of its letter, e.g. `m`, `zh`, `iu`).
    Initial(&'static str),
}

/// Marks an initial's interned text (skeletons are lower-case Latin letters).
const INITIAL_MARK: char = '.';

impl Part {
    /// A whole word, by its skeleton.
    pub fn full(skeleton: Sym) -> Part {
        debug_assert!(!skeleton.starts_with(INITIAL_MARK));
        Part(skeleton)
    }

    /// An initial, by the skeleton of its letter.
    pub fn initial(skeleton: &str) -> Part {
        // A letter's skeleton is a few bytes: marked on the stack, not in a new string.
        let mut buf = [0u8; 16];
        let n = skeleton.len() + 1;
        if n <= buf.len() {
            buf[0] = INITIAL_MARK as u8;
            buf[1..n].copy_from_slice(skeleton.as_bytes());
            if let Ok(marked) = std::str::from_utf8(&buf[..n]) {
                return Part(sym(marked));
            }
        }
        Part(sym(&format!("{INITIAL_MARK}{skeleton}")))
    }

    /// A whole word or an initial, with its skeleton.
    pub fn kind(self) -> PartKind {
        match self.0.as_str().strip_prefix(INITIAL_MARK) {
            Some(letter) => PartKind::Initial(letter),
            None => PartKind::Full(self.0),
        }
    }

    /// The whole word, `None` for an initial.
    pub fn word(self) -> Option<Sym> {
        match self.kind() {
            PartKind::Full(w) => Some(w),
            PartKind::Initial(_) => None,
        }
    }

    /// True for an initial.
    pub fn is_initial(self) -> bool {
        self.0.starts_with(INITIAL_MARK)
    }

    /// The skeleton text of the part.
    pub fn text(self) -> &'static str {
        let s = self.0.as_str();
        s.strip_prefix(INITIAL_MARK).unwrap_or(s)
    }
}

/// A parsed, normalised name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NormName {
    /// Surname skeleton as written (with its gender ending).
    pub surname: Option<Sym>,
    /// Surname with feminine endings folded to the masculine form (Иванова -> ivanov).
    pub surname_stem: Option<Sym>,
    /// Given name.
    pub given: Option<Part>,
    /// Patronymic.
    pub patronymic: Option<Part>,
    /// Sex as the name tells it.
    pub sex: Option<Sex>,
    /// True when the sex comes from the patronymic (reliable), not only the surname.
    pub sex_from_patronymic: bool,
}

impl NormName {
    /// True when nothing usable was found.
    pub fn is_empty(&self) -> bool {
        self.surname.is_none() && self.given.is_none() && self.patronymic.is_none()
    }
}

/// Common Russian given names, so that `Мария Иванова` is read given-name first.
const GIVEN_NAMES: &[&str] = &[
    "Александр",
    "Алексей",
    "Анатолий",
    "Андрей",
    "Антон",
    "Аркадий",
    "Артём",
    "Артур",
    "Борис",
    "Вадим",
    "Валентин",
    "Валерий",
    "Василий",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Вячеслав",
    "Геннадий",
    "Георгий",
    "Глеб",
    "Григорий",
    "Даниил",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Константин",
    "Лев",
    "Леонид",
    "Максим",
    "Марк",
    "Матвей",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Пётр",
    "Роман",
    "Руслан",
    "Семён",
    "Сергей",
    "Станислав",
    "Степан",
    "Тимофей",
    "Тимур",
    "Фёдор",
    "Юрий",
    "Ярослав",
    "Александра",
    "Алёна",
    "Алина",
    "Алла",
    "Анастасия",
    "Анна",
    "Антонина",
    "Валентина",
    "Валерия",
    "Вера",
    "Вероника",
    "Виктория",
    "Галина",
    "Дарья",
    "Диана",
    "Евгения",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зинаида",
    "Зоя",
    "Инна",
    "Ирина",
    "Карина",
    "Кристина",
    "Ксения",
    "Лариса",
    "Лидия",
    "Любовь",
    "Людмила",
    "Маргарита",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Раиса",
    "Светлана",
    "София",
    "Тамара",
    "Татьяна",
    "Ульяна",
    "Юлия",
    "Яна",
];

/// The hundred commonest Russian surnames, commonest first (published rankings of Russian
/// surname frequency): where the data at hand is too small to count a surname's frequency, one
/// outside this list is taken to be uncommon.
const COMMON_SURNAMES: &[&str] = &[
    "Смирнов",
    "Иванов",
    "Кузнецов",
    "Соколов",
    "Попов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Волков",
    "Соловьёв",
    "Васильев",
    "Зайцев",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Михайлов",
    "Беляев",
    "Тарасов",
    "Белов",
    "Комаров",
    "Орлов",
    "Киселёв",
    "Макаров",
    "Андреев",
    "Ковалёв",
    "Ильин",
    "Гусев",
    "Титов",
    "Кузьмин",
    "Кудрявцев",
    "Баранов",
    "Куликов",
    "Алексеев",
    "Степанов",
    "Яковлев",
    "Сорокин",
    "Сергеев",
    "Романов",
    "Захаров",
    "Борисов",
    "Королёв",
    "Герасимов",
    "Пономарёв",
    "Григорьев",
    "Лазарев",
    "Медведев",
    "Ершов",
    "Никитин",
    "Соболев",
    "Рябов",
    "Поляков",
    "Цветков",
    "Данилов",
    "Жуков",
    "Фролов",
    "Журавлёв",
    "Николаев",
    "Крылов",
    "Максимов",
    "Сидоров",
    "Осипов",
    "Белоусов",
    "Федотов",
    "Дорофеев",
    "Егоров",
    "Матвеев",
    "Бобров",
    "Дмитриев",
    "Калинин",
    "Анисимов",
    "Петухов",
    "Антонов",
    "Тимофеев",
    "Никифоров",
    "Веселов",
    "Филиппов",
    "Марков",
    "Большаков",
    "Суханов",
    "Миронов",
    "Ширяев",
    "Александров",
    "Коновалов",
    "Шестаков",
    "Казаков",
    "Ефимов",
    "Денисов",
    "Громов",
    "Фомин",
    "Давыдов",
    "Мельников",
    "Щербаков",
    "Блинов",
    "Колесников",
];

/// `ё` as `е`, letters in lower case: the variation two writings of one name show most.
pub fn fold_letter(c: char) -> char {
    match c {
        'ё' | 'Ё' => 'е',
        c if c.is_ascii() => c.to_ascii_lowercase(),
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Whether two texts differ in letter case at most (`ё` and `е` still differ).
pub fn same_but_case(a: &str, b: &str) -> bool {
    a == b
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// Orders texts by their letters, case and `ё`/`е` aside.
pub fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.chars().map(fold_letter).cmp(b.chars().map(fold_letter))
}

/// True when a surname stem (see [`surname_stem`]) is one of the hundred commonest Russian
/// surnames.
pub fn is_common_surname(stem: &str) -> bool {
    static SET: OnceLock<rustc_hash::FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_SURNAMES
            .iter()
            .map(|n| surname_stem(&skeleton(n, true)).0.into_owned())
            .collect()
    })
    .contains(stem)
}

fn given_names() -> &'static rustc_hash::FxHashSet<String> {
    static SET: OnceLock<rustc_hash::FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| GIVEN_NAMES.iter().map(|n| skeleton(n, true)).collect())
}

/// True when the skeleton is a known given name.
pub fn is_given_name(skel: &str) -> bool {
    given_names().contains(skel)
}

/// Sex told by a patronymic skeleton, if it is one.
pub fn patronymic_sex(skel: &str) -> Option<Sex> {
    const FEMALE: &[&str] = &["ovna", "evna", "ichna", "inichna"];
    const MALE: &[&str] = &["ovich", "evich"];
    if skel.len() < 5 {
        return None;
    }
    if FEMALE.iter().any(|s| skel.ends_with(s)) {
        Some(Sex::Female)
    } else if MALE.iter().any(|s| skel.ends_with(s))
        // Ильич, Лукич, Кузьмич, Фомич, Никитич.
        || (skel.ends_with("ich") && skel.len() <= 8)
    {
        Some(Sex::Male)
    } else {
        None
    }
}

/// The father's-name root of a patronymic skeleton, the same for a brother and a sister
/// (Сергеевич, Сергеевна -> `serge`; Ильич, Ильинична -> `il`), if it has a patronymic ending.
pub fn patronymic_root(skel: &str) -> Option<&str> {
    // Longest first: `ivanovich` also ends in `ich`, `ilinichna` in `ichna`.
    const ENDINGS: &[&str] = &["inichna", "ichna", "ovich", "evich", "ovna", "evna", "ich"];
    ENDINGS
        .iter()
        .find_map(|e| skel.strip_suffix(e))
        .filter(|root| root.len() >= 2)
}

/// Whether a patronymic skeleton is formed from a given name's skeleton: Иван -> Иванович,
/// Сергей -> Сергеевна, Юрий -> Юрьевич, Дмитрий -> Дмитриевич, Никита -> Никитич,
/// Илья -> Ильинична, and the irregular Лев -> Львович, Павел -> Павлович, Яков -> Яковлевич.
pub fn patronymic_from(patronymic: &str, given: &str) -> bool {
    const IRREGULAR: &[(&str, &str)] = &[("lev", "lv"), ("pavel", "pavl"), ("iakov", "iakovl")];
    let Some(root) = patronymic_root(patronymic) else {
        return false;
    };
    if let Some((_, r)) = IRREGULAR.iter().find(|(g, _)| *g == given) {
        return root == *r;
    }
    // Иван, Игорь (ь leaves no letter); Сергей, Дмитрий (-евич, -иевич); Юрий (-ьевич);
    // Никита, Илья (-ич).
    root == given
        || ["i", "ii", "a", "ia"]
            .iter()
            .any(|end| given.strip_suffix(end) == Some(root))
}

/// Folds a feminine surname to its masculine form; returns it with the sex its ending tells.
pub fn surname_stem(skel: &str) -> (Cow<'_, str>, Option<Sex>) {
    const PAIRS: &[(&str, &str)] = &[
        ("skaia", "skii"),
        ("ova", "ov"),
        ("eva", "ev"),
        ("ina", "in"),
    ];
    for (fem, masc) in PAIRS {
        if skel.len() >= fem.len() + 2 && skel.ends_with(fem) {
            let stem = [&skel[..skel.len() - fem.len()], masc].concat();
            return (Cow::Owned(stem), Some(Sex::Female));
        }
    }
    const MALE_ENDINGS: &[&str] = &["skii", "ov", "ev", "in"];
    let sex = MALE_ENDINGS
        .iter()
        .any(|e| skel.len() >= e.len() + 2 && skel.ends_with(e))
        .then_some(Sex::Male);
    (Cow::Borrowed(skel), sex)
}

/// Words that are not part of a person's name in registry exports.
const NOISE_WORDS: &[&str] = &["ип", "индивидуальный", "предприниматель", "гражданин", "гр"];

/// A word of the name before it is assigned a role: its skeleton is `skels[start..end]`, the
/// buffer every word of one name is written to, one after another.
#[derive(Clone, Copy)]
struct Token {
    start: u32,
    end: u32,
    initial: bool,
}

/// Whether a word is one of [`NOISE_WORDS`], in any case, `ё` read as `е`. Compared letter by
/// letter, only against words of its length: a common length (`гражданин` has nine letters,
/// as many surnames do) made a lower-case copy of every such word.
fn is_noise_word(word: &str) -> bool {
    // Lowering never changes the length of a Cyrillic letter, and only Cyrillic letters lower
    // to a noise word's.
    NOISE_WORDS.iter().any(|n| {
        n.len() == word.len()
            && word
                .chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c })
                .eq(n.chars())
    })
}

/// `raw` with its punctuation made spaces, written to `cleaned`: hyphenated and dotted forms
/// kept apart ("Петрова-Водкина" is one word, "М.П." two initials).
fn clean<'a>(raw: &str, cleaned: &'a mut String) -> &'a str {
    for (i, c) in raw.char_indices() {
        match c {
            '-' | '‐' | '–' | '—' => {
                let prev_letter = raw[..i].chars().next_back().is_some_and(is_letter);
                let next_letter = raw[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(is_letter);
                if !(prev_letter && next_letter) {
                    cleaned.push(' ');
                }
            }
            '.' => cleaned.push_str(". "),
            ',' | '(' | ')' | '"' | '«' | '»' | '/' | '\\' | '_' => cleaned.push(' '),
            '\'' | '’' | '`' => {}
            c if is_letter(c) || c.is_whitespace() => cleaned.push(c),
            _ => cleaned.push(' '),
        }
    }
    cleaned
}

/// Whether `raw` holds only ASCII letters, ASCII spaces and letters of the basic Cyrillic
/// block (U+0400..U+045F), which [`clean`] would copy unchanged (most names): then whether
/// one of them is Cyrillic. `None` for any other text.
fn plain_words(raw: &str) -> Option<bool> {
    let mut in_cyrillic = false;
    let mut bytes = raw.as_bytes().iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => {}
            lead if bytes
                .next()
                .is_some_and(|&next| is_basic_cyrillic(lead, next)) =>
            {
                in_cyrillic = true
            }
            _ => return None,
        }
    }
    Some(in_cyrillic)
}

/// The words of `raw`, their skeletons written to `skels`; `cleaned` is a buffer for the text
/// with its punctuation made spaces.
fn tokenize(raw: &str, cleaned: &mut String, skels: &mut String) -> SmallVec<[Token; 4]> {
    cleaned.clear();
    skels.clear();
    let (text, in_cyrillic) = match plain_words(raw) {
        Some(in_cyrillic) => (raw, in_cyrillic),
        None => (clean(raw, cleaned) as &str, raw.chars().any(is_cyrillic)),
    };
    let mut out: SmallVec<[Token; 4]> = SmallVec::new();
    for word in text.split_whitespace() {
        let dotted = word.ends_with('.');
        let bare = word.trim_end_matches('.');
        if bare.is_empty() {
            continue;
        }
        if is_noise_word(bare) {
            continue;
        }
        // One letter, two or more: all an initial is told by.
        let letters = bare.chars().take(3).count();
        let start = skels.len();
        skeleton_into(bare, in_cyrillic, skels);
        let end = skels.len();
        if start == end {
            continue;
        }
        // "оглы" / "кызы" belong to the patronymic before them, whose skeleton ends where
        // this one starts.
        if matches!(&skels[start..], "ogli" | "kizi" | "uli" | "uulu") {
            if let Some(prev) = out.last_mut() {
                prev.end = end as u32;
                continue;
            }
        }
        let initial = letters == 1 || (dotted && letters == 2 && !in_cyrillic);
        out.push(Token {
            start: start as u32,
            end: end as u32,
            initial,
        });
    }
    out
}

fn is_patronymic(skel: &str) -> bool {
    patronymic_sex(skel).is_some() || skel.ends_with("ogli") || skel.ends_with("kizi")
}

/// The names of a `former_names` cell: `;`-separated, trimmed, empty ones left out.
pub fn split_names(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a full name as written in any registry.
pub fn parse_name(raw: &str) -> NormName {
    use std::cell::RefCell;
    // Names are parsed by the million: the buffers of one parse are kept per thread.
    thread_local! {
        static BUFFERS: RefCell<(String, String)> = RefCell::default();
    }
    BUFFERS.with(|b| match b.try_borrow_mut() {
        Ok(mut b) => {
            let (cleaned, skels) = &mut *b;
            let name = parse_name_with(raw, cleaned, skels);
            // One very long cell does not keep its buffers for the rest of the run.
            if cleaned.capacity() > 1 << 12 {
                *cleaned = String::new();
                *skels = String::new();
            }
            name
        }
        Err(_) => parse_name_with(raw, &mut String::new(), &mut String::new()),
    })
}

/// [`parse_name`] with the buffers given.
fn parse_name_with(raw: &str, cleaned: &mut String, skels: &mut String) -> NormName {
    let tokens = tokenize(raw, cleaned, skels);
    let skels: &str = skels;
    let text = |t: &Token| &skels[t.start as usize..t.end as usize];
    let (initials, full): (SmallVec<[Token; 4]>, SmallVec<[Token; 4]>) =
        tokens.into_iter().partition(|t| t.initial);
    let mut name = NormName::default();
    let word = |t: &Token| Part::full(sym(text(t)));
    let init = |t: &Token| Part::initial(text(t));
    // Words in a row, one text: with no initials, `full` is every word, and the buffer holds
    // their skeletons one after another.
    let joined = |ts: &[Token]| -> &str {
        debug_assert!(ts.windows(2).all(|w| w[0].end == w[1].start));
        match ts {
            [] => "",
            [first, ..] => &skels[first.start as usize..ts[ts.len() - 1].end as usize],
        }
    };
    let mut surname: Option<&str> = None;
    if !initials.is_empty() {
        // "Иванова М.П.", "М. П. Иванова", "Иванова Мария П.".
        let mut parts = full.iter();
        surname = parts.next().map(text);
        let mut rest = parts.map(word).chain(initials.iter().map(init));
        name.given = rest.next();
        name.patronymic = rest.next();
    } else {
        match full.len() {
            0 => {}
            1 => surname = Some(text(&full[0])),
            2 => {
                let (a, b) = (&full[0], &full[1]);
                if is_patronymic(text(b)) {
                    name.given = Some(word(a));
                    name.patronymic = Some(word(b));
                } else if is_given_name(text(a)) && !is_given_name(text(b)) {
                    name.given = Some(word(a));
                    surname = Some(text(b));
                } else {
                    surname = Some(text(a));
                    name.given = Some(word(b));
                }
            }
            n => {
                if is_patronymic(text(&full[n - 1])) {
                    // Фамилия Имя Отчество (a double surname may take two words).
                    name.patronymic = Some(word(&full[n - 1]));
                    name.given = Some(word(&full[n - 2]));
                    surname = Some(joined(&full[..n - 2]));
                } else if is_patronymic(text(&full[1]))
                    || (is_given_name(text(&full[0]))
                        && !full[1..].iter().any(|t| is_given_name(text(t))))
                {
                    // Имя Отчество Фамилия; also with a slip in the patronymic's ending
                    // (`Георгий Васильвеич Барутценко`) when only the first word is a given name.
                    name.patronymic = Some(word(&full[1]));
                    name.given = Some(word(&full[0]));
                    surname = Some(joined(&full[2..]));
                } else {
                    name.patronymic = Some(word(&full[2]));
                    name.given = Some(word(&full[1]));
                    surname = Some(text(&full[0]));
                }
            }
        }
    }
    let mut sex_by_surname = None;
    if let Some(s) = surname.filter(|s| !s.is_empty()) {
        let (stem, sex) = surname_stem(s);
        sex_by_surname = sex;
        let stem_sym = sym(&stem);
        name.surname_stem = Some(stem_sym);
        // A borrowed stem is the surname itself: interned once.
        name.surname = Some(match stem {
            Cow::Borrowed(_) => stem_sym,
            Cow::Owned(_) => sym(s),
        });
    }
    let sex_by_patronymic = match name.patronymic.and_then(Part::word) {
        Some(p) => patronymic_sex(&p).or(if p.ends_with("kizi") {
            Some(Sex::Female)
        } else if p.ends_with("ogli") {
            Some(Sex::Male)
        } else {
            None
        }),
        _ => None,
    };
    name.sex_from_patronymic = sex_by_patronymic.is_some();
    name.sex = sex_by_patronymic.or(sex_by_surname);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> Option<Part> {
        Some(Part::full(sym(s)))
    }
    fn ini(s: &str) -> Option<Part> {
        Some(Part::initial(s))
    }

    #[test]
    fn a_part_is_a_word_or_an_initial_in_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<Part>>(), 4);
        assert_eq!(std::mem::size_of::<crate::normalize::Mention>(), 56);
        assert_eq!(std::mem::size_of::<NormName>(), 20);
        let (word, letter) = (Part::full(sym("m")), Part::initial("m"));
        assert_ne!(word, letter);
        assert_eq!((word.text(), letter.text()), ("m", "m"));
        assert_eq!((word.word(), letter.word()), (Some(sym("m")), None));
        assert_eq!(letter.kind(), PartKind::Initial("m"));
        assert!(letter.is_initial() && !word.is_initial());
        // Past the stack buffer, the same part.
        let long = "x".repeat(40);
        assert_eq!(Part::initial(&long).text(), long);
    }

    #[test]
    fn surname_given_patronymic() {
        let n = parse_name("Иванова Мария Петровна");
        assert_eq!(n.surname.as_deref(), Some("ivanova"));
        assert_eq!(n.surname_stem.as_deref(), Some("ivanov"));
        assert_eq!(n.given, full("mariia"));
        assert_eq!(n.patronymic, full("petrovna"));
        assert_eq!(n.sex, Some(Sex::Female));
        assert!(n.sex_from_patronymic);
    }

    #[test]
    fn a_name_read_as_plain_words_is_one_cleaning_leaves_as_it_is() {
        // Every character up to U+0500 (and some beyond) inside a name: where the fast check
        // takes the text as it is, cleaning would not change it, and it says rightly whether
        // a letter is Cyrillic.
        let mut plain = 0;
        for c in ('\0'..='\u{500}').chain(['\u{a0}', '—', '«', '’', '\u{2028}', 'ǅ']) {
            for raw in [format!("Аб{c}вг"), format!("ab{c}cd"), format!("{c}")] {
                let mut cleaned = String::new();
                let reference = (
                    clean(&raw, &mut cleaned).to_owned(),
                    raw.chars().any(is_cyrillic),
                );
                if let Some(in_cyrillic) = plain_words(&raw) {
                    plain += 1;
                    assert_eq!((raw.clone(), in_cyrillic), reference, "{raw:?}");
                }
            }
        }
        // ASCII letters and spaces, and the 96 letters of the block, in three contexts.
        assert_eq!(plain, 3 * (52 + 6 + 96));
        assert_eq!(plain_words("Иванова Мария\tПетровна"), Some(true));
        assert_eq!(plain_words("Ivanova Maria"), Some(false));
        assert_eq!(plain_words("Иванова М.П."), None);
    }

    #[test]
    fn noise_words_are_told_in_any_case_with_yo() {
        // The test it replaced: lower-cased, `ё` made `е`, looked up.
        let reference =
            |w: &str| NOISE_WORDS.contains(&w.to_lowercase().replace('ё', "е").as_str());
        for w in [
            "ИП",
            "ип",
            "Ип",
            "гр",
            "ГР",
            "Гражданин",
            "ГРАЖДАНИН",
            "гражданин",
            "граждАнин",
            "Индивидуальный",
            "предприниматель",
            "ПРЕДПРИНИМАТЕЛЬ",
            "Предпринимател",
            "Гражданка",
            "Иванович",
            "Петровна",
            "ип.",
            "Щукин",
            "Ёлкина",
            "ipp",
            "Ip",
            "",
        ] {
            assert_eq!(is_noise_word(w), reference(w), "{w}");
        }
        assert!(is_noise_word("ГРАЖДАНИН") && !is_noise_word("Гражданка"));
    }

    #[test]
    fn case_spaces_and_yo_do_not_matter() {
        assert_eq!(
            parse_name("  ИВАНОВА   мария  ПЕТРОВНА "),
            parse_name("Иванова Мария Петровна")
        );
        assert_eq!(
            parse_name("Семёнов Пётр Артёмович"),
            parse_name("Семенов Петр Артемович")
        );
    }

    #[test]
    fn word_order_given_first() {
        assert_eq!(
            parse_name("Мария Петровна Иванова"),
            parse_name("Иванова Мария Петровна")
        );
        let n = parse_name("Мария Иванова");
        assert_eq!(n.surname.as_deref(), Some("ivanova"));
        assert_eq!(n.given, full("mariia"));
    }

    #[test]
    fn initials_in_both_positions() {
        for raw in [
            "Иванова М.П.",
            "Иванова М. П.",
            "М. П. Иванова",
            "М.П.Иванова",
        ] {
            let n = parse_name(raw);
            assert_eq!(n.surname.as_deref(), Some("ivanova"), "{raw}");
            assert_eq!(n.given, ini("m"), "{raw}");
            assert_eq!(n.patronymic, ini("p"), "{raw}");
        }
        assert_eq!(parse_name("Жуков Ю.А.").given, ini("iu"));
    }

    #[test]
    fn missing_patronymic() {
        let n = parse_name("Петров Иван");
        assert_eq!(n.surname.as_deref(), Some("petrov"));
        assert_eq!(n.given, full("ivan"));
        assert_eq!(n.patronymic, None);
        assert_eq!(n.sex, Some(Sex::Male));
    }

    #[test]
    fn hyphenated_surname_is_one_word() {
        let a = parse_name("Петрова-Водкина Анна Ивановна");
        let b = parse_name("Петрова - Водкина Анна Ивановна");
        assert_eq!(a.surname.as_deref(), Some("petrovavodkina"));
        assert_eq!(b.given, a.given);
        assert_eq!(b.patronymic, a.patronymic);
    }

    #[test]
    fn gendered_surnames_share_a_stem() {
        for (m, f) in [
            ("Иванов", "Иванова"),
            ("Петровский", "Петровская"),
            ("Ильин", "Ильина"),
            ("Соловьев", "Соловьева"),
        ] {
            let a = parse_name(&format!("{m} Иван Иванович"));
            let b = parse_name(&format!("{f} Анна Ивановна"));
            assert_eq!(a.surname_stem, b.surname_stem, "{m}/{f}");
        }
        // Unchanging surnames stay as they are.
        assert_eq!(
            parse_name("Черных Анна").surname_stem.as_deref(),
            Some("chernikh")
        );
        assert_eq!(
            parse_name("Шевченко Анна").surname_stem.as_deref(),
            Some("shevchenko")
        );
    }

    #[test]
    fn latin_transliteration_matches_cyrillic() {
        assert_eq!(
            parse_name("Ivanova Mariya Petrovna"),
            parse_name("Иванова Мария Петровна")
        );
        assert_eq!(
            parse_name("Sergey Alexeyevich Kuznetsov")
                .surname
                .as_deref(),
            Some("kuznetsov")
        );
    }

    #[test]
    fn entrepreneur_prefix_is_dropped() {
        assert_eq!(
            parse_name("ИП Петров Иван Петрович"),
            parse_name("Петров Иван Петрович")
        );
    }

    #[test]
    fn common_surnames_are_known_in_every_form() {
        for w in ["Смирнова", "СОЛОВЬЕВ", "Ковалёва", "Щербаков"] {
            let n = parse_name(&format!("{w} Анна Ивановна"));
            assert!(is_common_surname(&n.surname_stem.unwrap()), "{w}");
        }
        let n = parse_name("Ломекина Анна Ивановна");
        assert!(!is_common_surname(&n.surname_stem.unwrap()));
    }

    #[test]
    fn patronymics_come_from_given_names() {
        let sk = |w: &str| skeleton(w, true);
        // Every given name of the generator's table with both its patronymics.
        for (given, his, hers) in crate::generate::names::MALE {
            let (g, m, f) = (sk(given), sk(his), sk(hers));
            assert!(patronymic_from(&m, &g), "{given} -> {his}");
            assert!(patronymic_from(&f, &g), "{given} -> {hers}");
            assert_eq!(patronymic_root(&m), patronymic_root(&f), "{his} / {hers}");
        }
        assert!(!patronymic_from(&sk("Иванович"), &sk("Игорь")));
        assert!(!patronymic_from(&sk("Сергеевна"), &sk("Семён")));
        assert_ne!(
            patronymic_root(&sk("Петрович")),
            patronymic_root(&sk("Павловна"))
        );
        assert_eq!(patronymic_root("ivanov"), None);
    }

    #[test]
    fn given_name_first_with_a_slip_in_the_patronymic() {
        let n = parse_name("Георгий Васильвеич Барутценко");
        let full = |s: &str| Some(Part::full(sym(s)));
        assert_eq!(n.surname, Some(sym("baruttsenko")));
        assert_eq!(
            (n.given, n.patronymic),
            (full("georgii"), full("vasilveich"))
        );
        // Surname first, the slip as before; a surname that is also a given name stays first
        // when the next word is a given name too.
        assert_eq!(
            parse_name("Барутценко Георгий Васильвеич").surname,
            Some(sym("baruttsenko"))
        );
        assert_eq!(
            parse_name("Роман Иван Петровчи").surname,
            Some(sym("roman"))
        );
    }

    #[test]
    fn patronymic_sex_and_short_forms() {
        assert_eq!(parse_name("Ленин Владимир Ильич").sex, Some(Sex::Male));
        assert_eq!(parse_name("Ильина Анна Ильинична").sex, Some(Sex::Female));
        assert_eq!(parse_name("Мамедов Рашид Гасан оглы").sex, Some(Sex::Male));
    }
}
