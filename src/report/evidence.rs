//! Evidence in words: each typed step of a chain ([`crate::rules::Said`]) in Russian, which
//! cases.csv and cases.json write, or in English, for the page and the workbook with
//! `--lang en`. Names, company names, positions, contacts and identifiers stay as the input
//! wrote them.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::lang::{seat_words, Lang};
use crate::model::{Conflict, ConflictKind, Kinship, Sex};
use crate::resolve::{Basis, Difference};
use crate::rules::{
    Chain, Channel, Matched, OfficialPost, ProbableKin, Relation, Role, RoleWord, Said, ShareSaid,
    Signal, Step, NOTE,
};
use crate::values::{share_percent_text, shares_text};

/// What a step says, in `lang`.
pub fn step_words(step: &Step, lang: Lang) -> String {
    said_words(&step.said, lang)
}

/// The evidence line of a chain in `lang`: the chain's steps joined by arrows, then each note
/// in brackets after it.
pub fn evidence_line(chain: &[Step], lang: Lang) -> String {
    let (mut links, mut notes) = (Vec::new(), String::new());
    for step in chain {
        let words = step_words(step, lang);
        if words.is_empty() {
            continue;
        }
        if step.kind() == NOTE {
            notes.push_str(&format!(" [{words}]"));
        } else {
            links.push(words);
        }
    }
    links.join(" -> ") + &notes
}

/// A step in cases.json: its kind, its words in Russian (`label`), and what it rests on.
impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Step", 5)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("label", &step_words(self, Lang::Ru))?;
        match &self.id {
            Some(id) => s.serialize_field("id", id)?,
            None => s.skip_field("id")?,
        }
        match self.score {
            Some(score) => s.serialize_field("score", &score)?,
            None => s.skip_field("score")?,
        }
        match self.basis {
            Some(basis) => s.serialize_field("basis", basis)?,
            None => s.skip_field("basis")?,
        }
        s.end()
    }
}

/// A case's chain in cases.json: its evidence line in Russian, then its steps.
impl Serialize for Chain {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(2))?;
        m.serialize_entry("evidence", &evidence_line(self, Lang::Ru))?;
        m.serialize_entry("chain", &self.0)?;
        m.end()
    }
}

fn said_words(said: &Said, lang: Lang) -> String {
    let pick = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    match said {
        Said::Official { name, post } => format!("{name} ({})", post_words(post, lang)),
        Said::Relation(r) => relation_words(r, lang),
        Said::Person {
            name,
            registry,
            matched,
        } => {
            let mut parts: Vec<String> = Vec::new();
            if !name.is_empty() {
                parts.push(name.clone());
            }
            if let Some(r) = registry {
                parts.push(format!("({} «{r}»)", pick("в реестре", "in the registry")));
            }
            if let Some(m) = matched {
                parts.push(matched_words(m, lang));
            }
            parts.join(" ")
        }
        Said::Unnamed(p) => format!("{} {p}", pick("лицо", "person")),
        Said::Suspect {
            name,
            signals,
            probability,
        } => {
            let signals: Vec<String> = signals.iter().map(|s| signal_words(*s, lang)).collect();
            format!(
                "{name} [{}: {}; {probability:.2}]",
                pick("признаки", "signs"),
                signals.join(", ")
            )
        }
        Said::Role(r) => role_words(r, lang),
        Said::Company(name) => name.clone(),
        Said::Contact {
            channel,
            left,
            right,
            right_in_registry,
        } => {
            let registry = if *right_in_registry {
                pick("в реестре ", "in the registry ")
            } else {
                ""
            };
            format!(
                "{} {left} = {registry}{right}",
                channel_words(*channel, lang)
            )
        }
        Said::Bid { won, procurement } => {
            let who = match won {
                true => pick("победитель закупки", "winner of procurement"),
                false => pick("участник закупки", "bidder in procurement"),
            };
            format!("{who} {procurement}")
        }
        Said::GroupBids {
            one_won,
            procurement,
        } => {
            let who = match one_won {
                true => pick(
                    "участники (один из них победитель) закупки",
                    "bidders (one of them the winner) in procurement",
                ),
                false => pick("участники закупки", "bidders in procurement"),
            };
            format!("{who} {procurement}")
        }
        Said::Conflicts(list) => {
            let texts: Vec<String> = list.iter().map(|c| conflict_words(c, lang)).collect();
            format!(
                "{}: {}",
                pick("противоречие в данных", "conflicting input"),
                texts.join("; ")
            )
        }
    }
}

fn post_words(post: &OfficialPost, lang: Lang) -> String {
    match post {
        OfficialPost::Seat { role, minutes } => {
            let mut words = lang
                .pick(seat_words(*role).0, seat_words(*role).1)
                .to_owned();
            if let Some(m) = minutes {
                let as_ = lang.pick("в протоколе", "in the minutes as");
                words.push_str(&format!(", {as_} «{}»", m.name));
                if m.candidates > 1 {
                    words.push_str(&match lang {
                        Lang::Ru => format!(", подходит к {} сотрудникам", m.candidates),
                        Lang::En => format!(", fits {} employees", m.candidates),
                    });
                }
            }
            words
        }
        OfficialPost::Staff { position } => {
            let position = if position.is_empty() {
                String::new()
            } else {
                format!(", {position}")
            };
            match lang {
                Lang::Ru => format!("сотрудник заказчика{position}, в закупке не участвует"),
                Lang::En => format!("customer's employee{position}, no role in the procurement"),
            }
        }
    }
}

fn relation_words(r: &Relation, lang: Lang) -> String {
    match r {
        Relation::Itself => lang.pick("сам(а)", "self").to_owned(),
        Relation::Kin { kinship, sex } => {
            let (ru, en) = kinship_words(*kinship, *sex);
            lang.pick(ru, en).to_owned()
        }
        Relation::Written { word, kinship, sex } => match lang {
            Lang::Ru => word.clone(),
            Lang::En => kinship_words(*kinship, *sex).1.to_owned(),
        },
        Relation::Probable { kin, sex } => {
            let (ru, en) = probable_words(*kin, *sex);
            match lang {
                Lang::Ru => format!("вероятно {ru}, в анкете не указан(а)"),
                Lang::En => format!("probably {en}, not in the questionnaire"),
            }
        }
    }
}

/// A relation in Russian and English, by the relative's sex where known.
fn kinship_words(k: Kinship, sex: Option<Sex>) -> (&'static str, &'static str) {
    use Kinship::*;
    let f = sex == Some(Sex::Female);
    let m = sex == Some(Sex::Male);
    match k {
        Spouse if f => ("жена", "wife"),
        Spouse if m => ("муж", "husband"),
        Spouse => ("супруг(а)", "spouse"),
        Parent if f => ("мать", "mother"),
        Parent if m => ("отец", "father"),
        Parent => ("родитель", "parent"),
        Child if f => ("дочь", "daughter"),
        Child if m => ("сын", "son"),
        Child => ("ребёнок", "child"),
        Grandparent if f => ("бабушка", "grandmother"),
        Grandparent if m => ("дедушка", "grandfather"),
        Grandparent => ("дедушка/бабушка", "grandparent"),
        Grandchild if f => ("внучка", "granddaughter"),
        Grandchild if m => ("внук", "grandson"),
        Grandchild => ("внук/внучка", "grandchild"),
        Sibling if f => ("сестра", "sister"),
        Sibling if m => ("брат", "brother"),
        Sibling => ("брат/сестра", "sibling"),
        HalfSibling if f => ("неполнородная сестра", "half sister"),
        HalfSibling if m => ("неполнородный брат", "half brother"),
        HalfSibling => ("неполнородный брат/сестра", "half sibling"),
        AdoptiveParent if f => ("усыновитель", "adoptive mother"),
        AdoptiveParent if m => ("усыновитель", "adoptive father"),
        AdoptiveParent => ("усыновитель", "adoptive parent"),
        AdoptedChild if f => ("удочерённая", "adopted daughter"),
        AdoptedChild => ("усыновлённый", "adopted child"),
        // Russian has a word for each in-law by whose parent or sibling (тёща, свекровь);
        // questionnaires give it (see `Relation::Written`), the data alone does not.
        ParentInLaw if f => ("родитель супруга", "mother-in-law"),
        ParentInLaw if m => ("родитель супруга", "father-in-law"),
        ParentInLaw => ("родитель супруга", "parent-in-law"),
        ChildInLaw if f => ("супруг(а) ребёнка", "daughter-in-law"),
        ChildInLaw if m => ("супруг(а) ребёнка", "son-in-law"),
        ChildInLaw => ("супруг(а) ребёнка", "child-in-law"),
        SiblingInLaw if f => ("свойственник", "sister-in-law"),
        SiblingInLaw if m => ("свойственник", "brother-in-law"),
        SiblingInLaw => ("свойственник", "sibling-in-law"),
        StepParent if f => ("отчим/мачеха", "stepmother"),
        StepParent if m => ("отчим/мачеха", "stepfather"),
        StepParent => ("отчим/мачеха", "step-parent"),
        StepChild if f => ("пасынок/падчерица", "stepdaughter"),
        StepChild if m => ("пасынок/падчерица", "stepson"),
        StepChild => ("пасынок/падчерица", "stepchild"),
        StepSibling if f => ("сводный брат/сестра", "stepsister"),
        StepSibling if m => ("сводный брат/сестра", "stepbrother"),
        StepSibling => ("сводный брат/сестра", "step-sibling"),
        FormerSpouse if f => ("бывший супруг(а)", "former wife"),
        FormerSpouse if m => ("бывший супруг(а)", "former husband"),
        FormerSpouse => ("бывший супруг(а)", "former spouse"),
        Unknown => ("родственник", "relative"),
    }
}

fn probable_words(kin: ProbableKin, sex: Option<Sex>) -> (&'static str, &'static str) {
    let (m, f) = (sex == Some(Sex::Male), sex == Some(Sex::Female));
    match kin {
        ProbableKin::Sibling if m => ("брат", "brother"),
        ProbableKin::Sibling if f => ("сестра", "sister"),
        ProbableKin::Sibling => ("брат или сестра", "sibling"),
        ProbableKin::Child if m => ("сын", "son"),
        ProbableKin::Child if f => ("дочь", "daughter"),
        ProbableKin::Child => ("ребёнок", "child"),
        ProbableKin::Parent => ("отец", "father"),
        ProbableKin::Spouse if m => ("муж", "husband"),
        ProbableKin::Spouse if f => ("жена", "wife"),
        ProbableKin::Spouse => ("супруг(а)", "spouse"),
        ProbableKin::Household => ("член семьи", "household member"),
    }
}

/// `[совпадение: ФИО и дата рождения (имя по инициалу), 0.97]`.
fn matched_words(m: &Matched, lang: Lang) -> String {
    let basis = match m.basis {
        Basis::Inn => lang.pick("ИНН", "INN"),
        Basis::NameAndDate => lang.pick("ФИО и дата рождения", "name and birth date"),
        Basis::NameOnly => lang.pick("только ФИО", "name only"),
    };
    let differences = m.link.map(|l| l.differences()).unwrap_or_default();
    let fields = if differences.is_empty() {
        String::new()
    } else {
        let words: Vec<&str> = differences
            .iter()
            .map(|d| difference_words(*d, lang))
            .collect();
        format!(" ({})", words.join(", "))
    };
    format!(
        "[{}: {basis}{fields}, {:.2}]",
        lang.pick("совпадение", "match"),
        m.probability
    )
}

fn difference_words(d: Difference, lang: Lang) -> &'static str {
    let (ru, en) = match d {
        Difference::FormerName => ("по прежней фамилии", "through a former surname"),
        Difference::SurnameClose => (
            "фамилия в другой форме или с опечаткой",
            "surname in another form or with a typo",
        ),
        Difference::SurnameMissing => ("без фамилии", "no surname"),
        Difference::GivenClose => ("имя с опечаткой", "given name with a typo"),
        Difference::GivenInitial => ("имя по инициалу", "given name by its initial"),
        Difference::GivenMissing => ("без имени", "no given name"),
        Difference::PatronymicClose => ("отчество с опечаткой", "patronymic with a typo"),
        Difference::PatronymicInitial => ("отчество по инициалу", "patronymic by its initial"),
        Difference::PatronymicMissing => ("без отчества", "no patronymic"),
        Difference::DateSwapped => (
            "день и месяц рождения переставлены",
            "birth day and month swapped",
        ),
        Difference::DateOneDigit => (
            "дата рождения с опечаткой в одной цифре",
            "birth date one digit off",
        ),
    };
    lang.pick(ru, en)
}

fn signal_words(s: Signal, lang: Lang) -> String {
    let (ru, en) = match s {
        Signal::Surname { former, rare } => {
            let (ru, en) = match former {
                true => (
                    "прежняя фамилия должностного лица",
                    "official's former surname",
                ),
                false => ("фамилия", "surname"),
            };
            let rare = if rare {
                lang.pick(" (редкая)", " (rare)")
            } else {
                ""
            };
            return format!("{}{rare}", lang.pick(ru, en));
        }
        Signal::SamePatronymic => ("то же отчество", "same patronymic"),
        Signal::PatronymicFromOfficial => (
            "отчество от имени должностного лица",
            "patronymic from the official's given name",
        ),
        Signal::OfficialPatronymicFromTheirs => (
            "отчество должностного лица от его имени",
            "official's patronymic from this given name",
        ),
        Signal::BirthYears(a, b) => {
            return match lang {
                Lang::Ru => format!("годы рождения {a} и {b}"),
                Lang::En => format!("birth years {a} and {b}"),
            }
        }
        Signal::OneAddress => ("один адрес", "one address"),
    };
    lang.pick(ru, en).to_owned()
}

fn role_words(r: &Role, lang: Lang) -> String {
    let (ru, en) = match r.what {
        RoleWord::Entrepreneur => ("индивидуальный предприниматель", "sole proprietor"),
        RoleWord::Director => ("директор", "director"),
        RoleWord::ExecutiveBoardMember => (
            "член коллегиального исполнительного органа",
            "executive board member",
        ),
        RoleWord::BoardMember => ("член правления", "board member"),
        RoleWord::ManagingCompany => ("управляющая организация", "managing company"),
        RoleWord::Founder => ("учредитель", "founder"),
        RoleWord::Beneficiary => ("бенефициар", "beneficiary"),
        RoleWord::AmongOwners => ("в составе владельцев", "among the owners"),
    };
    let mut words = lang.pick(ru, en).to_owned();
    match &r.share {
        ShareSaid::Nothing => {}
        ShareSaid::Held(s) => words.push_str(&format!(" {}", share_percent_text(s))),
        ShareSaid::NotGiven => {
            words.push_str(lang.pick(" (доля не указана)", " (share not given)"));
        }
        ShareSaid::Chain {
            held,
            total,
            all_chains,
        } => {
            let all = match all_chains {
                true => lang.pick(", по всем цепочкам", ", over all chains"),
                false => "",
            };
            words.push_str(&format!(
                " {} ({} {}{all})",
                share_percent_text(held),
                lang.pick("итого", "in all"),
                share_percent_text(total)
            ));
        }
        ShareSaid::PerRegistry(s) => words.push_str(&format!(
            " {} ({})",
            share_percent_text(s),
            lang.pick("по реестру", "per the registry")
        )),
    }
    if let Some(company) = &r.of {
        words.push_str(&format!(" ({company})"));
    }
    words
}

fn channel_words(c: Channel, lang: Lang) -> &'static str {
    match c {
        Channel::Email => lang.pick("электронная почта", "e-mail"),
        Channel::Phone => lang.pick("телефон", "phone"),
        Channel::Address => lang.pick("адрес", "address"),
    }
}

/// A conflict: what differs, where, and what was read.
fn conflict_words(c: &Conflict, lang: Lang) -> String {
    let mut places: Vec<String> = Vec::new();
    for group in c.rows.chunk_by(|a, b| a.0 == b.0) {
        let lines: Vec<String> = group.iter().map(|r| r.1.to_string()).collect();
        let word = match (lines.len(), lang) {
            (1, _) => lang.pick("строка", "line"),
            _ => lang.pick("строки", "lines"),
        };
        places.push(format!("{}, {word} {}", group[0].0, lines.join(", ")));
    }
    let at = places.join("; ");
    match (&c.kind, lang) {
        (ConflictKind::Share { given }, _) => format!(
            "{} {} ({at}), {}: {}",
            lang.pick("доля указана как", "share given as"),
            shares_text(given),
            lang.pick("взята меньшая", "the smaller is read"),
            share_percent_text(&given[0])
        ),
        (ConflictKind::Until { read }, _) => format!(
            "{} ({at}), {}: {}",
            lang.pick("разные даты окончания роли", "different role end dates"),
            lang.pick("взята ранняя", "the earliest is read"),
            read.format("%d.%m.%Y")
        ),
        (ConflictKind::Winner, Lang::Ru) => {
            format!("участник указан победителем и не победителем ({at}), принято: не победитель")
        }
        (ConflictKind::Winner, Lang::En) => {
            format!("the bid is given as won and as not won ({at}), read as not won")
        }
        (ConflictKind::ContractPrice, _) => format!(
            "{} ({at}), {}",
            lang.pick("разные цены контракта", "different contract prices"),
            lang.pick("взята меньшая", "the smaller is read")
        ),
        (ConflictKind::Values, _) => format!(
            "{} ({at}), {}",
            lang.pick(
                "разные значения одной записи",
                "one record with different values"
            ),
            lang.pick(
                "прочитана первая по значениям",
                "the first by its values is read"
            )
        ),
        (ConflictKind::BirthDates { inn, dates }, _) => {
            let dates: Vec<String> = dates.iter().map(ToString::to_string).collect();
            match lang {
                Lang::Ru => format!(
                    "ИНН {inn} с разными датами рождения {} ({at}), дата рождения не учтена",
                    dates.join(", ")
                ),
                Lang::En => format!(
                    "INN {inn} with different birth dates {} ({at}), no birth date is read",
                    dates.join(", ")
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SeatRole;
    use crate::rules::MinutesName;
    use num_rational::BigRational;

    fn both(said: Said) -> (String, String) {
        let step = Step::new(said);
        (step_words(&step, Lang::Ru), step_words(&step, Lang::En))
    }

    #[test]
    fn each_step_is_said_in_both_languages_from_its_data() {
        let pct = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(
            both(Said::Official {
                name: "Морозов Дмитрий Сергеевич".into(),
                post: OfficialPost::Seat {
                    role: SeatRole::Member,
                    minutes: Some(MinutesName {
                        name: "Морозов Д.С.".into(),
                        candidates: 2,
                    }),
                },
            }),
            (
                "Морозов Дмитрий Сергеевич (член комиссии, в протоколе «Морозов Д.С.», подходит к 2 сотрудникам)".into(),
                "Морозов Дмитрий Сергеевич (commission member, in the minutes as «Морозов Д.С.», fits 2 employees)".into()
            )
        );
        // An in-law as the questionnaire wrote it; in English by what it is read as.
        assert_eq!(
            both(Said::Relation(Relation::Written {
                word: "тёща".into(),
                kinship: Kinship::ParentInLaw,
                sex: Some(Sex::Female),
            })),
            ("тёща".into(), "mother-in-law".into())
        );
        assert_eq!(
            both(Said::Role(Role {
                what: RoleWord::Founder,
                share: ShareSaid::Chain {
                    held: pct(1, 2),
                    total: pct(3, 20),
                    all_chains: true,
                },
                of: None,
            })),
            (
                "учредитель 50% (итого 15%, по всем цепочкам)".into(),
                "founder 50% (in all 15%, over all chains)".into()
            )
        );
        assert_eq!(
            both(Said::Suspect {
                name: "Лапшина Анна Олеговна".into(),
                signals: vec![
                    Signal::Surname {
                        former: false,
                        rare: true
                    },
                    Signal::BirthYears(1970, 1974),
                ],
                probability: 0.9712,
            }),
            (
                "Лапшина Анна Олеговна [признаки: фамилия (редкая), годы рождения 1970 и 1974; 0.97]"
                    .into(),
                "Лапшина Анна Олеговна [signs: surname (rare), birth years 1970 and 1974; 0.97]"
                    .into()
            )
        );
        assert_eq!(
            both(Said::Contact {
                channel: Channel::Phone,
                left: "8 (913) 100-20-30".into(),
                right: "+79131002030".into(),
                right_in_registry: true,
            }),
            (
                "телефон 8 (913) 100-20-30 = в реестре +79131002030".into(),
                "phone 8 (913) 100-20-30 = in the registry +79131002030".into()
            )
        );
    }

    #[test]
    fn a_note_follows_the_chain_in_brackets() {
        let conflict = Conflict {
            rows: vec![
                ("company_roles.csv".into(), 3),
                ("company_roles.csv".into(), 7),
            ],
            kind: ConflictKind::ContractPrice,
        };
        let chain = [
            Step::new(Said::Company("ООО «Дом и сын»".into())),
            Step::new(Said::Conflicts(vec![conflict])),
            Step::new(Said::Bid {
                won: false,
                procurement: "0156".into(),
            }),
        ];
        assert_eq!(
            evidence_line(&chain, Lang::Ru),
            "ООО «Дом и сын» -> участник закупки 0156 [противоречие в данных: разные цены контракта (company_roles.csv, строки 3, 7), взята меньшая]"
        );
        assert_eq!(
            evidence_line(&chain, Lang::En),
            "ООО «Дом и сын» -> bidder in procurement 0156 [conflicting input: different contract prices (company_roles.csv, lines 3, 7), the smaller is read]"
        );
    }
}
