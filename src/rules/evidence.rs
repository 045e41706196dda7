//! Evidence as data: what each step of a case's chain says (who, which relation, which role and
//! share, how a registry record matched, which contact, which bid, which input rows contradict
//! each other), typed. The rules build it; `report` puts it into words in each language (the
//! Russian words are the `label` and `evidence` of cases.csv and cases.json).

use crate::model::{Conflict, Kinship, SeatRole, Sex};
use crate::resolve::{Basis, Link};
use crate::values::Share;

/// One step of a case's evidence chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What the step says.
    pub said: Said,
    /// Identifier where there is one (official_id, INN, procurement number).
    pub id: Option<String>,
    /// Confidence of this step, when it rests on a match.
    pub score: Option<f64>,
    /// What the match rests on (`inn`, `name_and_date`, `name_only`).
    pub basis: Option<&'static str>,
}

impl Step {
    /// A step saying `said`, with no identifier, score or basis.
    pub fn new(said: Said) -> Step {
        Step {
            said,
            id: None,
            score: None,
            basis: None,
        }
    }

    /// The step with an identifier.
    pub fn with_id(self, id: Option<String>) -> Step {
        Step { id, ..self }
    }

    /// The step's kind as the output files name it ([`Said::kind`]).
    pub fn kind(&self) -> &'static str {
        self.said.kind()
    }
}

/// What a step says.
#[derive(Clone, Debug, PartialEq)]
pub enum Said {
    /// An official and their post in the procurement.
    Official {
        /// The name as officials.csv gives it.
        name: String,
        /// The post.
        post: OfficialPost,
    },
    /// How the linked person is related to the official.
    Relation(Relation),
    /// A person on the participant's side: the name the official's side knows (empty for the
    /// official themself), the registry's name when it differs, and how the registry's record
    /// matched.
    Person {
        /// The name, as the questionnaire or the registry writes it.
        name: String,
        /// The registry's name of the person, when it differs beyond letter case.
        registry: Option<String>,
        /// How the registry's record matched, when the step rests on one.
        matched: Option<Matched>,
    },
    /// A person the input names by no record's name (a shared person of two bidders known
    /// only by the resolver's number).
    Unnamed(u32),
    /// A person who may be an undeclared relative, and what points to kinship.
    Suspect {
        /// The name as the registry writes it.
        name: String,
        /// What the official's and the person's records share.
        signals: Vec<Signal>,
        /// The probability of kinship.
        probability: f64,
    },
    /// A role in a company.
    Role(Role),
    /// A company, as the bid or the registry names it.
    Company(String),
    /// A contact two records share, each side as written.
    Contact {
        /// Its kind.
        channel: Channel,
        /// As the first record writes it.
        left: String,
        /// As the second writes it.
        right: String,
        /// The second record is the registry's.
        right_in_registry: bool,
    },
    /// The bid of the chain's company.
    Bid {
        /// The company won.
        won: bool,
        /// The procurement number.
        procurement: String,
    },
    /// The bids of a group of bidders.
    GroupBids {
        /// One of them won.
        one_won: bool,
        /// The procurement number.
        procurement: String,
    },
    /// Input rows the case rests on that contradict each other, with what was read: a note
    /// on the chain, not a link of it.
    Conflicts(Vec<Conflict>),
}

impl Said {
    /// The step's kind as the output files name it: `person`, `relation`, `role`, `company`,
    /// `contact`, `procurement`, or [`NOTE`].
    pub fn kind(&self) -> &'static str {
        match self {
            Said::Official { .. }
            | Said::Person { .. }
            | Said::Unnamed(_)
            | Said::Suspect { .. } => "person",
            Said::Relation(_) => "relation",
            Said::Role(_) => "role",
            Said::Company(_) => "company",
            Said::Contact { .. } => "contact",
            Said::Bid { .. } | Said::GroupBids { .. } => "procurement",
            Said::Conflicts(_) => NOTE,
        }
    }
}

/// The kind of a step that is no link of the chain but a remark on it ([`Said::Conflicts`]).
pub const NOTE: &str = "note";

/// An official's post in a procurement.
#[derive(Clone, Debug, PartialEq)]
pub enum OfficialPost {
    /// A seat: customer's head, in the commission, contract manager.
    Seat {
        /// The seat.
        role: SeatRole,
        /// How the minutes named the official, when commissions.csv gives a name and no id.
        minutes: Option<MinutesName>,
    },
    /// On the customer's staff, with no role in the procurement.
    Staff {
        /// The position as officials.csv gives it (may be empty).
        position: String,
    },
}

/// A name in the minutes that commissions.csv gives without an official_id.
#[derive(Clone, Debug, PartialEq)]
pub struct MinutesName {
    /// The name as written.
    pub name: String,
    /// How many of the customer's staff it fits (said when more than one).
    pub candidates: usize,
}

/// How the linked person is related to the official.
#[derive(Clone, Debug, PartialEq)]
pub enum Relation {
    /// The official themself.
    Itself,
    /// A relation the data gives, in the word for the relative's sex.
    Kin {
        /// The relation.
        kinship: Kinship,
        /// The relative's sex, where known.
        sex: Option<Sex>,
    },
    /// A relation in the word the questionnaire wrote (an in-law's word says whose parent:
    /// `тёща`, `свекровь`), lower-cased.
    Written {
        /// The word as written.
        word: String,
        /// What the loader reads it as.
        kinship: Kinship,
        /// The relative's sex, where known.
        sex: Option<Sex>,
    },
    /// A relation the data suggests and the questionnaire does not give (UNDECLARED).
    Probable {
        /// The relation.
        kin: ProbableKin,
        /// The person's sex, where known.
        sex: Option<Sex>,
    },
}

/// A relation UNDECLARED suspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbableKin {
    /// Brother or sister.
    Sibling,
    /// Son or daughter.
    Child,
    /// Father.
    Parent,
    /// Husband or wife.
    Spouse,
    /// Someone living at the official's flat.
    Household,
}

/// How a registry record matched the person it is read as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matched {
    /// What the match rests on.
    pub basis: Basis,
    /// The comparison, when the two records were compared directly.
    pub link: Option<Link>,
    /// The probability that both are one person.
    pub probability: f64,
}

/// What an UNDECLARED suspect's and the official's records share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signal {
    /// The surname, or the official's former surname; rare in the data or not.
    Surname {
        /// The official's former surname.
        former: bool,
        /// Rare in the data.
        rare: bool,
    },
    /// The same patronymic (siblings).
    SamePatronymic,
    /// The person's patronymic is made from the official's given name (a child).
    PatronymicFromOfficial,
    /// The official's patronymic is made from the person's given name (a father).
    OfficialPatronymicFromTheirs,
    /// Birth years that fit the relation: the official's and the person's.
    BirthYears(i32, i32),
    /// One address.
    OneAddress,
}

/// A role in a company: what, the share it comes with, and of which company when the chain
/// does not name it next.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role.
    pub what: RoleWord,
    /// The share said with it.
    pub share: ShareSaid,
    /// The company, when the role is in another than the chain's next one.
    pub of: Option<String>,
}

impl Role {
    /// A role with no share and no company.
    pub fn plain(what: RoleWord) -> Role {
        Role {
            what,
            share: ShareSaid::Nothing,
            of: None,
        }
    }
}

/// A role's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleWord {
    /// The company is the person's own business.
    Entrepreneur,
    /// The sole executive.
    Director,
    /// A member of the collegial executive body, under 44-FZ's wording.
    ExecutiveBoardMember,
    /// A member of the board, as the registry calls it.
    BoardMember,
    /// The company managing another as its sole executive.
    ManagingCompany,
    /// A founder.
    Founder,
    /// A beneficiary.
    Beneficiary,
    /// Somewhere among the owners up the chain.
    AmongOwners,
}

/// The share a role step says.
#[derive(Clone, Debug, PartialEq)]
pub enum ShareSaid {
    /// None.
    Nothing,
    /// The share held.
    Held(Share),
    /// The registry gives no share.
    NotGiven,
    /// The last share of a chain, and the share it makes in all (over every chain, when more
    /// than one or a direct share adds to it).
    Chain {
        /// The share in this link.
        held: Share,
        /// The share in all.
        total: Share,
        /// The total adds up several chains.
        all_chains: bool,
    },
    /// A beneficiary's share as the registry states it.
    PerRegistry(Share),
}

pub use crate::normalize::contact::Channel;

impl Channel {
    /// Its code in `participant_link` (`shared_email`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Address => "address",
        }
    }
}

/// A case's evidence chain: its steps in order (written to cases.json as the `evidence` line
/// and the `chain` of steps).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chain(pub Vec<Step>);

impl std::ops::Deref for Chain {
    type Target = [Step];

    fn deref(&self) -> &[Step] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Chain {
    type Item = &'a Step;
    type IntoIter = std::slice::Iter<'a, Step>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
