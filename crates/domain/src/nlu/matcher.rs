//! Phrase patterns (syntax in [`super::lexicon`]) compiled once and matched against tokens.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
enum Alt {
    Exact(&'static str),
    Prefix(&'static str),
}

impl Alt {
    fn matches(self, token: &str) -> bool {
        match self {
            Self::Exact(w) => token == w,
            Self::Prefix(p) => token.len() > p.len() && token.starts_with(p),
        }
    }
}

#[derive(Debug, Clone)]
enum Slot {
    Words { alts: Vec<Alt>, optional: bool },
    Gap(usize),
}

/// One compiled phrase.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    slots: Vec<Slot>,
    anchor_start: bool,
    anchor_end: bool,
    /// Words the phrase needs, the measure of how specific it is.
    pub required: usize,
}

impl Pattern {
    pub(crate) fn compile(source: &'static str) -> Self {
        let mut text = source.trim();
        let anchor_start = text.starts_with('^');
        if anchor_start {
            text = &text[1..];
        }
        let anchor_end = text.ends_with('$');
        if anchor_end {
            text = &text[..text.len() - 1];
        }
        let slots: Vec<Slot> = text
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|slot| {
                if let Some(n) = slot.strip_prefix('*') {
                    return Slot::Gap(n.parse().unwrap_or(2));
                }
                let (body, optional) = match slot.strip_suffix('?') {
                    Some(b) => (b, true),
                    None => (slot, false),
                };
                let alts = body
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(|a| match a.strip_suffix('*') {
                        Some(p) => Alt::Prefix(p),
                        None => Alt::Exact(a),
                    })
                    .collect();
                Slot::Words { alts, optional }
            })
            .collect();
        let required = slots.iter().filter(|s| matches!(s, Slot::Words { optional: false, .. })).count();
        Self { slots, anchor_start, anchor_end, required }
    }

    /// Exact words the first slot accepts, or `None` if it takes a prefix or is not a word.
    fn first_words(&self) -> Option<Vec<&'static str>> {
        match self.slots.first()? {
            Slot::Words { alts, optional: false } => {
                alts.iter().map(|a| if let Alt::Exact(w) = a { Some(*w) } else { None }).collect()
            }
            _ => None,
        }
    }

    /// Positions of the matched words, if the phrase starts at `start`.
    pub(crate) fn match_at(&self, tokens: &[&str], start: usize) -> Option<Vec<usize>> {
        if self.anchor_start && start != 0 {
            return None;
        }
        let mut words = Vec::with_capacity(self.slots.len());
        self.match_slots(&self.slots, tokens, start, &mut words).then_some(words)
    }

    fn match_slots(&self, slots: &[Slot], tokens: &[&str], pos: usize, words: &mut Vec<usize>) -> bool {
        let Some((first, rest)) = slots.split_first() else {
            return !self.anchor_end || pos == tokens.len();
        };
        match first {
            Slot::Gap(n) => (0..=*n)
                .take_while(|skip| pos + skip <= tokens.len())
                .any(|skip| self.match_slots(rest, tokens, pos + skip, words)),
            Slot::Words { alts, optional } => {
                if let Some(token) = tokens.get(pos)
                    && alts.iter().any(|a| a.matches(token))
                {
                    words.push(pos);
                    if self.match_slots(rest, tokens, pos + 1, words) {
                        return true;
                    }
                    words.pop();
                }
                *optional && self.match_slots(rest, tokens, pos, words)
            }
        }
    }
}

/// A set of patterns with an index on their first word.
pub(crate) struct PatternSet {
    pub patterns: Vec<Pattern>,
    by_first: HashMap<&'static str, Vec<usize>>,
    unindexed: Vec<usize>,
}

/// One occurrence of a pattern.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub pattern: usize,
    pub start: usize,
    pub words: Vec<usize>,
}

impl PatternSet {
    pub(crate) fn new(sources: impl IntoIterator<Item = &'static str>) -> Self {
        let patterns: Vec<Pattern> = sources.into_iter().map(Pattern::compile).collect();
        let mut by_first: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut unindexed = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            match p.first_words() {
                Some(words) => {
                    for w in words {
                        by_first.entry(w).or_default().push(id);
                    }
                }
                None => unindexed.push(id),
            }
        }
        Self { patterns, by_first, unindexed }
    }

    /// Every (pattern, start) that matches, in order of start.
    pub(crate) fn find_all(&self, tokens: &[&str]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for start in 0..tokens.len() {
            let indexed = self.by_first.get(tokens[start]).map(Vec::as_slice).unwrap_or_default();
            for &id in indexed.iter().chain(&self.unindexed) {
                if let Some(words) = self.patterns[id].match_at(tokens, start) {
                    hits.push(Hit { pattern: id, start, words });
                }
            }
        }
        hits
    }

    pub(crate) fn any(&self, tokens: &[&str]) -> bool {
        !self.find_all(tokens).is_empty()
    }
}

/// Longest phrases first (then heavier, then earlier): a hit counts only if none of its words
/// was already claimed by a better one. "não vou poder ir" is then a cancellation, not a "não".
pub(crate) fn claim(
    hits: Vec<Hit>,
    required: impl Fn(&Hit) -> usize,
    weight: impl Fn(&Hit) -> f32,
) -> Vec<Hit> {
    let mut order: Vec<Hit> = hits;
    order.sort_by(|a, b| {
        required(b)
            .cmp(&required(a))
            .then(weight(b).total_cmp(&weight(a)))
            .then(a.start.cmp(&b.start))
            .then(a.pattern.cmp(&b.pattern))
    });
    let mut claimed: Vec<usize> = Vec::new();
    let mut kept = Vec::new();
    for hit in order {
        if hit.words.iter().any(|w| claimed.contains(w)) {
            continue;
        }
        claimed.extend(&hit.words);
        kept.push(hit);
    }
    kept.sort_by_key(|h| h.start);
    kept
}
