//! Patient safety in the message dialogue: red-flag symptoms that need emergency services now,
//! and topics the assistant must never advise on. Pure code, like [`crate::nlu`].
//!
//! # Red flags
//! [`detect`] finds eight kinds ([`RedFlagKind`]) in Brazilian Portuguese and English, with
//! typos and slang. It reads concepts, not fixed sentences: the text is normalised like
//! [`crate::nlu::normalize`] (case, accents, repeated letters, WhatsApp abbreviations), words
//! that are one keyboard slip from a symptom word are corrected ("peiro" -> "peito", two slips
//! for words of nine letters or more), and phrase patterns in [`lexicon`] name what each part of
//! the message is evidence of. Some kinds need two concepts anywhere in the message: a
//! pregnancy and bleeding, a child with fever and lethargy (or a seizure, or not waking), a
//! swelling face after an allergen.
//!
//! # Rules for the ambiguous cases
//! - **Negation**: a symptom is cancelled by "não", "sem", "nem", "nenhum", "nunca", "not",
//!   "without", "never" up to four words before it in the same clause (commas, "mas", "but",
//!   "e", "agora" end the reach), or between its words ("peito não dói"). "no" negates only
//!   before an English word ("no chest pain"): in Portuguese it means "in the" ("dor no
//!   peito"). A "não" inside a symptom ("não consigo respirar", "não para de sangrar") is part of
//!   it, and "não sei se é", "não aguento", "not sure if" are no negations.
//! - **When**: the marker nearest to the symptom in the same sentence (six words at most,
//!   before it preferred) decides. Past ("ano passado", "há 2 anos", "ontem", "years ago",
//!   "history of", "quando eu era"), habitual ("às vezes", "sempre que", "sometimes"),
//!   hypothetical ("se eu sentir", "em caso de", "if I get", "vocês atendem") and resolved
//!   ("já passou", "parou de sangrar", "stopped") symptoms are not an emergency now;
//!   "agora", "ainda", "desde ontem", "estou com", "right now" make it now. An event
//!   (infarto, AVC, aborto) right after "teve", "tive", "had", "sofreu" is history. So "minha
//!   mãe teve AVC ano passado, quero marcar check-up" is no emergency; "ontem tive dor no
//!   peito e ainda estou com falta de ar" is.
//! - **Other people**: symptoms of someone else now ("meu pai está com dor no peito") are an
//!   emergency like the patient's own; only history, habit, hypothesis and negation excuse.
//! - **Suicidal thoughts** are never habitual: "às vezes penso em me matar" is a red flag.
//! - **Context**: bleeding while brushing or flossing is not severe bleeding; a pregnancy with
//!   bleeding gums or a nosebleed is not a pregnancy bleeding; numbness or a crooked mouth in a
//!   message about anaesthesia or dental work is not a stroke sign; "sem ar de tanto rir" is
//!   laughter; "coração partido" is a feeling; "peito do pé", "ar condicionado", "exame de
//!   sangue", "dente mole", "morrendo de rir", "this pain is killing me" are not symptoms.
//! - Only the first [`crate::nlu::MAX_CHARS`] characters are read.
//!
//! # Never-advise topics
//! [`never_advise`] finds a request for a diagnosis, a dose or a medicine, or the reading of a
//! test result, among the topics the clinic configured; the dialogue answers politely that a
//! professional will reply and hands the conversation to staff.

mod advice;
mod eval;
pub(crate) mod lexicon;

#[cfg(test)]
mod tests;

pub use advice::{Topic, never_advise};
pub use eval::{KindStats, SafetyEvaluation, evaluate, parse_emergencies, texts_of};

use crate::nlu::matcher::{Hit, PatternSet, claim};
use crate::nlu::text;
use lexicon::{Concept, When};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// The red-flag symptoms that need emergency services now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagKind {
    ChestPain,
    ShortnessOfBreath,
    Stroke,
    SevereBleeding,
    Suicidal,
    Anaphylaxis,
    PregnancyBleeding,
    ChildFeverLethargy,
}

impl RedFlagKind {
    pub const ALL: [RedFlagKind; 8] = [
        Self::ChestPain,
        Self::ShortnessOfBreath,
        Self::Stroke,
        Self::SevereBleeding,
        Self::Suicidal,
        Self::Anaphylaxis,
        Self::PregnancyBleeding,
        Self::ChildFeverLethargy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChestPain => "chest_pain",
            Self::ShortnessOfBreath => "shortness_of_breath",
            Self::Stroke => "stroke",
            Self::SevereBleeding => "severe_bleeding",
            Self::Suicidal => "suicidal",
            Self::Anaphylaxis => "anaphylaxis",
            Self::PregnancyBleeding => "pregnancy_bleeding",
            Self::ChildFeverLethargy => "child_fever_lethargy",
        }
    }

    /// The most specific kind first: a message with several reports that one as [`RedFlag::kind`].
    fn priority(self) -> u8 {
        match self {
            Self::Suicidal => 0,
            Self::Anaphylaxis => 1,
            Self::Stroke => 2,
            Self::PregnancyBleeding => 3,
            Self::ChildFeverLethargy => 4,
            Self::ChestPain => 5,
            Self::SevereBleeding => 6,
            Self::ShortnessOfBreath => 7,
        }
    }
}

impl fmt::Display for RedFlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown red-flag kind {0:?}")]
pub struct UnknownKind(pub String);

impl FromStr for RedFlagKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A message that needs emergency services now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedFlag {
    /// The most specific of [`RedFlag::kinds`].
    pub kind: RedFlagKind,
    /// Every kind found, most specific first.
    pub kinds: Vec<RedFlagKind>,
}

// ---- tokens -------------------------------------------------------------------------------

/// A normalised token and where it stands: sentences end at . ! ? ; and line breaks, clauses
/// also at commas.
#[derive(Debug, Clone)]
struct Tok {
    text: String,
    sentence: usize,
    clause: usize,
}

/// Splits at sentence and clause punctuation (a '.' or ',' between digits is a decimal) and
/// normalises each piece like the intent rules do.
fn tokens(raw: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = raw.char_indices().collect();
    let mut out = Vec::new();
    let (mut sentence, mut clause) = (0, 0);
    let mut piece_start = 0;
    let push_piece = |piece: &str, sentence: usize, clause: usize, out: &mut Vec<Tok>| {
        for t in text::tokenize(piece) {
            out.push(Tok { text: canonical(&t.text), sentence, clause });
        }
    };
    for (k, &(i, c)) in chars.iter().enumerate() {
        let between_digits = || {
            k > 0
                && chars[k - 1].1.is_ascii_digit()
                && chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit())
        };
        let sentence_end =
            matches!(c, '!' | '?' | ';' | '\n' | '…' | '¿' | '¡') || (c == '.' && !between_digits());
        let clause_end = matches!(c, ',' | ':' | '(' | ')' | '-' | '–' | '—') && !between_digits();
        if sentence_end || clause_end {
            push_piece(&raw[piece_start..i], sentence, clause, &mut out);
            piece_start = i + c.len_utf8();
            clause += 1;
            if sentence_end {
                sentence += 1;
            }
        }
    }
    push_piece(&raw[piece_start..], sentence, clause, &mut out);
    out
}

/// Slang and phonetic spellings a keyboard-slip distance does not reach.
static SPELLINGS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    [
        ("febri", "febre"),
        ("fevre", "febre"),
        ("peitu", "peito"),
        ("rispirar", "respirar"),
        ("respirano", "respirando"),
        ("sangrano", "sangrando"),
        ("sangranu", "sangrando"),
        ("inchano", "inchando"),
        ("fechano", "fechando"),
        ("doeno", "doendo"),
        ("doenu", "doendo"),
        ("dormenti", "dormente"),
        ("nenen", "nenem"),
        ("nene", "nenem"),
        ("bb", "bebe"),
        ("bbzinho", "bebezinho"),
        ("nn", "nao"),
        ("naao", "nao"),
        ("dorr", "dor"),
        ("arr", "ar"),
        ("brath", "breath"),
        ("avcs", "avc"),
        ("sufocano", "sufocando"),
        ("conviulsao", "convulsao"),
    ]
    .into_iter()
    .filter(|(k, v)| k != v)
    .collect()
});

/// Every word the safety patterns read.
static VOCABULARY: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    lexicon::PATTERNS
        .iter()
        .map(|(_, p)| *p)
        .flat_map(|p| p.split([' ', '|']))
        .map(|w| w.trim_end_matches(['?', '*']))
        .filter(|w| !w.is_empty() && !w.starts_with('*') && w.bytes().all(|b| b.is_ascii_lowercase()))
        .collect()
});

/// Symptom words long enough to correct typos into.
static TYPO_TARGETS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut words: Vec<&'static str> = VOCABULARY.iter().copied().filter(|w| w.len() >= 5).collect();
    words.sort_unstable();
    words
});

fn keyboard_neighbours(a: char, b: char) -> bool {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let pos = |c: char| ROWS.iter().enumerate().find_map(|(r, row)| row.find(c).map(|col| (r, col)));
    let (Some((ra, ca)), Some((rb, cb))) = (pos(a), pos(b)) else { return false };
    // Same row next to each other, or the row above/below within one column (staggered keys).
    (ra == rb && ca.abs_diff(cb) == 1) || (ra.abs_diff(rb) == 1 && (ca == cb || ca + 1 == cb || cb + 1 == ca))
}

/// How far `a` is from `b` in typing slips: a missing, extra or swapped letter costs 1, a
/// letter replaced by a key next to it or by a sound-alike vowel (e/i, o/u) costs 1, any
/// other replacement 2. Capped at `max + 1`.
fn slips(a: &str, b: &str, max: u32) -> u32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max as usize {
        return max + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0u32; (a.len() + 1) * w];
    for (i, row) in d.chunks_mut(w).enumerate() {
        row[0] = u32::try_from(i).unwrap_or(u32::MAX);
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = u32::try_from(j).unwrap_or(u32::MAX);
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let (x, y) = (a[i - 1], b[j - 1]);
            let sub = if x == y {
                0
            } else if keyboard_neighbours(x, y)
                || matches!((x, y), ('e', 'i') | ('i', 'e') | ('o', 'u') | ('u', 'o'))
            {
                1
            } else {
                2
            };
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + sub);
            if i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()].min(max + 1)
}

/// Runs of a doubled letter dropped until a symptom word appears ("sangrandoo", "peitoo").
fn undouble(token: &str) -> Option<&'static str> {
    let chars: Vec<char> = token.chars().collect();
    let doubles: Vec<usize> = (1..chars.len()).filter(|&i| chars[i] == chars[i - 1]).collect();
    if doubles.is_empty() || doubles.len() > 4 {
        return None;
    }
    for mask in 1u32..(1 << doubles.len()) {
        let drop: Vec<usize> =
            doubles.iter().enumerate().filter(|(k, _)| mask >> k & 1 == 1).map(|(_, &i)| i).collect();
        let candidate: String =
            chars.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, c)| c).collect();
        if let Some(w) = VOCABULARY.get(candidate.as_str()) {
            return Some(w);
        }
    }
    None
}

/// The symptom word a token stands for: itself when it is a word anybody writes, else a
/// spelling, an undoubled word or the single closest slip.
fn canonical(token: &str) -> String {
    if let Some(s) = SPELLINGS.get(token) {
        return (*s).to_owned();
    }
    if VOCABULARY.contains(token)
        || lexicon::NOT_TYPOS.contains(&token)
        || crate::nlu::lexicon::is_known(token)
        || !token.bytes().all(|b| b.is_ascii_lowercase())
    {
        return token.to_owned();
    }
    if let Some(w) = undouble(token) {
        return w.to_owned();
    }
    let len = token.chars().count();
    if len < 5 {
        return token.to_owned();
    }
    let max = if len >= 9 { 2 } else { 1 };
    let mut best: Option<(u32, &'static str)> = None;
    let mut tie = false;
    for &w in TYPO_TARGETS.iter() {
        if w.len().abs_diff(len) > max as usize {
            continue;
        }
        let d = slips(token, w, max);
        if d > max {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, w));
                tie = false;
            }
        }
    }
    match best {
        Some((_, w)) if !tie => w.to_owned(),
        _ => token.to_owned(),
    }
}

// ---- concepts ------------------------------------------------------------------------------

static CONCEPTS: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::PATTERNS.iter().map(|(_, p)| *p)));
static MARKERS: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::MARKERS.iter().map(|(_, p)| *p)));

/// One concept found: its first and last word and whether it is current.
#[derive(Debug, Clone)]
struct Found {
    concept: Concept,
    first: usize,
    last: usize,
    sentence: usize,
    active: bool,
}

fn is_context(c: Concept) -> bool {
    matches!(
        c,
        Concept::AllergyTrigger
            | Concept::Child
            | Concept::RoutineBleeding
            | Concept::BleedingSite
            | Concept::DentalWork
            | Concept::Laughter
            | Concept::BenignNumbness
            | Concept::Feelings
            | Concept::Exclude
    )
}

fn is_event(c: Concept) -> bool {
    matches!(c, Concept::CardiacEvent | Concept::StrokeEvent | Concept::PregnancyLoss)
}

/// Whether an unclaimed token at `i` negates what follows.
fn negator_at(toks: &[Tok], claimed: &[bool], i: usize) -> bool {
    if claimed[i] {
        return false;
    }
    let t = toks[i].text.as_str();
    let next = toks.get(i + 1).filter(|n| n.clause == toks[i].clause).map(|n| n.text.as_str());
    if t == "no" {
        return next.is_some_and(|n| lexicon::NO_BEFORE.contains(&n));
    }
    if !lexicon::NEGATORS.contains(&t) {
        return false;
    }
    // "do not know", "não sei", "não aguento": the "não" is about something else. English
    // puts an auxiliary in between ("I do not think").
    !next.is_some_and(|n| lexicon::NEGATION_BREAKERS.contains(&n))
}

/// Is the concept spanning `first..=last` negated?
fn negated(toks: &[Tok], claimed: &[bool], first: usize, last: usize) -> bool {
    // Between its own words: "peito não dói", "chest does not hurt".
    if (first + 1..last).any(|i| negator_at(toks, claimed, i)) {
        return true;
    }
    let clause = toks[first].clause;
    let mut i = first;
    for _ in 0..5 {
        if i == 0 {
            return false;
        }
        i -= 1;
        if toks[i].clause != clause {
            return false;
        }
        let t = toks[i].text.as_str();
        // "não é dor no peito": "é" folds to "e", which otherwise ends the reach.
        let is_e_after_nao = t == "e" && i > 0 && toks[i - 1].text == "nao";
        if (lexicon::SCOPE_STOPS.contains(&t) || t == "e") && !is_e_after_nao && !claimed[i] {
            return false;
        }
        if negator_at(toks, claimed, i) {
            return true;
        }
    }
    false
}

/// Whether the concept at `first..=last` is happening now, by the markers near it in its
/// sentence (six words at most; one after it counts one word farther than one before).
fn current(
    markers: &[(When, usize, usize)],
    toks: &[Tok],
    concept: Concept,
    first: usize,
    last: usize,
) -> bool {
    let sentence = toks[first].sentence;
    let mut now = usize::MAX;
    let mut present = usize::MAX;
    let mut over = usize::MAX;
    let mut unreal = usize::MAX;
    for &(w, start, end) in markers {
        if toks[start].sentence != sentence {
            continue;
        }
        let distance = if end < first {
            first - end
        } else if start > last {
            start - last + 1
        } else {
            1
        };
        if distance > 6 {
            continue;
        }
        let slot = match w {
            When::Now => &mut now,
            When::Present => &mut present,
            When::Past | When::Resolved => &mut over,
            When::PastEvent if is_event(concept) => &mut over,
            When::PastEvent => continue,
            // Suicidal thoughts are taken as they are said, habit or "if" included.
            When::Habitual | When::Hypothetical if concept == Concept::Suicidal => continue,
            When::Habitual | When::Hypothetical => &mut unreal,
        };
        *slot = (*slot).min(distance);
    }
    // A tie between a past marker and a present tense goes to the past: "faleceu de AVC,
    // tenho medo".
    !(unreal < now || (over < now && over <= present))
}

fn find(raw: &str) -> (Vec<Tok>, Vec<Found>) {
    let toks = tokens(raw);
    let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();

    // Concepts first: the longest phrase wins its words, an exclusion over a symptom of the
    // same length.
    let concept_of = |h: &Hit| lexicon::PATTERNS[h.pattern].0;
    let hits: Vec<Hit> = CONCEPTS
        .find_all(&words)
        .into_iter()
        // A phrase does not run across sentences.
        .filter(|h| {
            let (a, b) = (h.words[0], *h.words.last().unwrap_or(&h.words[0]));
            toks[a].sentence == toks[b].sentence
        })
        .collect();
    let kept = claim(
        hits,
        |h| CONCEPTS.patterns[h.pattern].required,
        // On a tie the exclusion wins, then the more serious reading ("saindo muito sangue").
        |h| match concept_of(h) {
            Concept::Exclude => 3.0,
            Concept::SevereBleeding | Concept::Anaphylaxis | Concept::Collapse => 2.0,
            _ => 1.0,
        },
    );
    let mut claimed = vec![false; toks.len()];
    for h in &kept {
        for &w in &h.words {
            claimed[w] = true;
        }
    }

    // Then the time markers over the words left.
    let free: Vec<&str> =
        words.iter().enumerate().map(|(i, w)| if claimed[i] { "\u{1}" } else { *w }).collect();
    let marker_hits = claim(MARKERS.find_all(&free), |h| MARKERS.patterns[h.pattern].required, |_| 1.0);
    let markers: Vec<(When, usize, usize)> = marker_hits
        .iter()
        .filter(|h| {
            let (a, b) = (h.words[0], *h.words.last().unwrap_or(&h.words[0]));
            toks[a].sentence == toks[b].sentence
        })
        .map(|h| (lexicon::MARKERS[h.pattern].0, h.words[0], *h.words.last().unwrap_or(&h.words[0])))
        .collect();
    let mut marker_claimed = claimed.clone();
    for h in &marker_hits {
        for &w in &h.words {
            marker_claimed[w] = true;
        }
    }

    let found = kept
        .iter()
        .map(|h| {
            let concept = concept_of(h);
            let first = h.words[0];
            let last = *h.words.last().unwrap_or(&first);
            let active = is_context(concept)
                || (!negated(&toks, &marker_claimed, first, last)
                    && current(&markers, &toks, concept, first, last));
            Found { concept, first, last, sentence: toks[first].sentence, active }
        })
        .collect();
    (toks, found)
}

/// The red flag in a patient's message, if any. See the module documentation for the rules.
pub fn detect(text: &str) -> Option<RedFlag> {
    let raw = crate::nlu::truncate(text);
    let (_, found) = find(raw);
    let any = |c: Concept| found.iter().any(|f| f.concept == c);
    let active = |c: Concept| found.iter().filter(move |f| f.concept == c && f.active);
    let in_sentence_with =
        |f: &Found, c: Concept| found.iter().any(|g| g.concept == c && g.sentence == f.sentence);

    let mut kinds = Vec::new();
    if active(Concept::ChestPain).next().is_some()
        || active(Concept::CardiacEvent).any(|f| !in_sentence_with(f, Concept::Laughter))
        || active(Concept::HeartPain).any(|f| !in_sentence_with(f, Concept::Feelings))
    {
        kinds.push(RedFlagKind::ChestPain);
    }
    let breathing = active(Concept::Breathing).any(|f| !in_sentence_with(f, Concept::Laughter));
    if breathing {
        kinds.push(RedFlagKind::ShortnessOfBreath);
    }
    if active(Concept::StrokeEvent).next().is_some()
        || (active(Concept::StrokeSign).next().is_some()
            && !any(Concept::DentalWork)
            && !any(Concept::BenignNumbness))
    {
        kinds.push(RedFlagKind::Stroke);
    }
    if active(Concept::SevereBleeding).any(|f| !in_sentence_with(f, Concept::RoutineBleeding)) {
        kinds.push(RedFlagKind::SevereBleeding);
    }
    if active(Concept::Suicidal).next().is_some() {
        kinds.push(RedFlagKind::Suicidal);
    }
    let allergen = any(Concept::AllergyTrigger);
    if active(Concept::Anaphylaxis).next().is_some()
        || (allergen && (active(Concept::Swelling).next().is_some() || breathing))
    {
        kinds.push(RedFlagKind::Anaphylaxis);
    }
    let pregnant = active(Concept::Pregnant).next().is_some();
    let pregnancy_bleeding = active(Concept::Bleeding).chain(active(Concept::SevereBleeding)).any(|f| {
        !in_sentence_with(f, Concept::RoutineBleeding) && !in_sentence_with(f, Concept::BleedingSite)
    });
    if (pregnant && pregnancy_bleeding) || active(Concept::PregnancyLoss).next().is_some() {
        kinds.push(RedFlagKind::PregnancyBleeding);
    }
    let fever = active(Concept::Fever).next().is_some();
    let lethargy = active(Concept::Lethargy).next().is_some();
    let collapse = active(Concept::Collapse).next().is_some();
    // A seizure or a child that will not wake is serious with or without a fever.
    if any(Concept::Child) && ((fever && lethargy) || collapse) {
        kinds.push(RedFlagKind::ChildFeverLethargy);
    }

    kinds.sort_by_key(|k| k.priority());
    kinds.dedup();
    let kind = *kinds.first()?;
    Some(RedFlag { kind, kinds })
}

/// For tests and the eval's error listing: the concepts found and whether each is current.
#[doc(hidden)]
pub fn explain(text: &str) -> String {
    let (toks, found) = find(crate::nlu::truncate(text));
    let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    let mut out = words.join(" ");
    for f in found {
        out.push_str(&format!(
            "\n  {:?} {:?}{}",
            f.concept,
            words[f.first..=f.last].join(" "),
            if f.active { "" } else { " (not current)" }
        ));
    }
    out
}
