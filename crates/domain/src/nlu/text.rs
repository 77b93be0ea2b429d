//! Normalisation and tokenisation: case, accents, punctuation, repeated letters and WhatsApp
//! abbreviations. Every token remembers the byte range of the raw text it came from, so that
//! names can be quoted back with their original accents.

use super::lexicon;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// One normalised token and the raw bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Emoji that carry an answer. Everything else that is not a letter or digit is a separator.
fn emoji_word(c: char) -> Option<&'static str> {
    match c {
        '👍' | '👌' | '✅' | '✔' | '☑' | '🆗' | '🙆' => Some("ok"),
        '👎' | '❌' | '✖' | '🚫' | '🙅' => Some("nao"),
        '👋' => Some("oi"),
        _ => None,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ')
}

/// Lower-case, compatibility-decomposed, combining marks removed; repeated until stable so that
/// a second pass over the output changes nothing.
fn fold_char(c: char, out: &mut Vec<char>) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let once = |s: &str| -> String {
        s.nfkd().filter(|ch| !is_combining_mark(*ch)).flat_map(char::to_lowercase).collect()
    };
    let mut current = once(c.encode_utf8(&mut [0; 4]));
    for _ in 0..4 {
        let next = once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    for ch in current.chars() {
        // Anything that still is not a fixed point becomes a separator.
        let mut tmp = [0; 4];
        if once(ch.encode_utf8(&mut tmp)).chars().eq(std::iter::once(ch)) {
            out.push(ch);
        } else {
            out.push(' ');
        }
    }
}

/// Raw tokens: letters and digits; ':', '/' and '.' are kept between two digits ("14:30",
/// "12/10"); apostrophes join ("don't" -> "dont").
fn raw_tokens(text: &str) -> Vec<Token> {
    let mut chars: Vec<(char, usize, usize)> = Vec::with_capacity(text.len());
    let mut buf = Vec::with_capacity(4);
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if let Some(word) = emoji_word(c) {
            chars.push((' ', i, end));
            chars.extend(word.chars().map(|w| (w, i, end)));
            chars.push((' ', i, end));
            continue;
        }
        buf.clear();
        fold_char(c, &mut buf);
        chars.extend(buf.iter().map(|&ch| (ch, i, end)));
    }

    let mut tokens = Vec::new();
    let mut current = String::new();
    let (mut start, mut end) = (0, 0);
    for (j, &(c, s, e)) in chars.iter().enumerate() {
        let keep = if c.is_alphanumeric() {
            true
        } else if matches!(c, ':' | '/' | '.') {
            let prev_digit = j > 0 && chars[j - 1].0.is_ascii_digit() && !current.is_empty();
            let next_digit = chars.get(j + 1).is_some_and(|n| n.0.is_ascii_digit());
            prev_digit && next_digit
        } else if is_apostrophe(c) {
            continue;
        } else {
            false
        };
        if keep {
            if current.is_empty() {
                start = s;
            }
            current.push(c);
            end = e;
        } else if !current.is_empty() {
            tokens.push(Token { text: std::mem::take(&mut current), start, end });
        }
    }
    if !current.is_empty() {
        tokens.push(Token { text: current, start, end });
    }
    tokens
}

/// Runs of the same ASCII letter: (start index in chars, length).
fn letter_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        while j < chars.len() && chars[j] == chars[i] {
            j += 1;
        }
        if j - i >= 2 && chars[i].is_ascii_alphabetic() {
            runs.push((i, j - i));
        }
        i = j;
    }
    runs
}

/// "oiii" -> "oi", "simmm" -> "sim", "goood" -> "good", "kkkkk" -> "kk": tries every way of
/// shortening each repeated letter to one or two and keeps the first known word; otherwise runs
/// of three or more become two. Idempotent: the output is either a known word or has no run that
/// a second pass could shorten into one.
fn collapse_repeats(token: &str) -> String {
    if token.len() >= 2 && token.bytes().all(|b| b == b'k') {
        return "kk".to_owned();
    }
    if lexicon::is_known(token) {
        return token.to_owned();
    }
    let chars: Vec<char> = token.chars().collect();
    let runs = letter_runs(&chars);
    if runs.is_empty() {
        return token.to_owned();
    }
    let build = |mask: u32| -> String {
        let mut out = String::with_capacity(token.len());
        let mut i = 0;
        let mut r = 0;
        while i < chars.len() {
            if let Some(&(rs, len)) = runs.get(r)
                && rs == i
            {
                // `u32::MAX` keeps two of every run, however many there are (a long
                // token can have more than 32 runs; masks only try the first four).
                let keep_two = mask == u32::MAX || (r < 32 && (mask >> r) & 1 == 1);
                let keep = if keep_two { 2 } else { 1 };
                out.extend(std::iter::repeat_n(chars[i], keep));
                i += len;
                r += 1;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    };
    if runs.len() <= 4 {
        // Fewer letters first: mask bits set mean "keep two".
        let mut masks: Vec<u32> = (0..(1u32 << runs.len())).collect();
        masks.sort_by_key(|m| m.count_ones());
        for mask in masks {
            let candidate = build(mask);
            if lexicon::is_known(&candidate) {
                return candidate;
            }
        }
    }
    build(u32::MAX)
}

/// Abbreviations and contractions, applied to whole tokens after accents and repeats are gone.
pub(crate) static ABBREVIATIONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    [
        // Portuguese
        ("vc", "voce"),
        ("vcs", "voces"),
        ("ce", "voce"),
        ("q", "que"),
        ("oq", "o que"),
        ("pq", "porque"),
        ("qq", "qualquer"),
        ("qro", "quero"),
        ("qero", "quero"),
        ("kero", "quero"),
        ("kro", "quero"),
        ("qer", "quer"),
        ("qr", "quer"),
        ("qria", "queria"),
        ("qeria", "queria"),
        ("keria", "queria"),
        ("qm", "quem"),
        ("qdo", "quando"),
        ("qnd", "quando"),
        ("qndo", "quando"),
        ("qnto", "quanto"),
        ("qto", "quanto"),
        ("qt", "quanto"),
        ("qnta", "quanta"),
        ("tb", "tambem"),
        ("tbm", "tambem"),
        ("tmb", "tambem"),
        ("hj", "hoje"),
        ("amn", "amanha"),
        ("amnh", "amanha"),
        ("amh", "amanha"),
        ("amanh", "amanha"),
        ("dps", "depois"),
        ("dpois", "depois"),
        ("pfv", "por favor"),
        ("pfvr", "por favor"),
        ("pf", "por favor"),
        ("pfvor", "por favor"),
        ("porfavor", "por favor"),
        ("obg", "obrigado"),
        ("obgd", "obrigado"),
        ("obrg", "obrigado"),
        ("brigado", "obrigado"),
        ("obgda", "obrigada"),
        ("brigada", "obrigada"),
        ("vlw", "valeu"),
        ("td", "tudo"),
        ("tds", "todos"),
        ("blz", "beleza"),
        ("msg", "mensagem"),
        ("msgs", "mensagens"),
        ("mt", "muito"),
        ("mto", "muito"),
        ("mtu", "muito"),
        ("mta", "muita"),
        ("agr", "agora"),
        ("msm", "mesmo"),
        ("ngm", "ninguem"),
        ("nd", "nada"),
        ("n", "nao"),
        ("naum", "nao"),
        ("s", "sim"),
        ("ss", "sim"),
        ("cmg", "comigo"),
        ("ctz", "certeza"),
        ("fds", "fim de semana"),
        ("hr", "hora"),
        ("hrs", "horas"),
        ("p", "para"),
        ("d", "de"),
        ("dr", "doutor"),
        ("dra", "doutora"),
        ("sr", "senhor"),
        ("sra", "senhora"),
        ("eh", "e"),
        ("vdd", "verdade"),
        ("aki", "aqui"),
        ("aq", "aqui"),
        ("kd", "cade"),
        ("zap", "whatsapp"),
        ("wpp", "whatsapp"),
        ("whats", "whatsapp"),
        ("prox", "proxima"),
        ("okay", "ok"),
        ("okey", "ok"),
        ("oky", "ok"),
        ("oks", "ok"),
        ("okk", "ok"),
        ("k", "ok"),
        ("vo", "vou"),
        ("nois", "nos"),
        ("tranquilo", "tranquilo"),
        // English
        ("u", "you"),
        ("ur", "your"),
        ("r", "are"),
        ("pls", "please"),
        ("plz", "please"),
        ("plis", "please"),
        ("pliz", "please"),
        ("thx", "thanks"),
        ("thnx", "thanks"),
        ("thanx", "thanks"),
        ("tks", "thanks"),
        ("ty", "thank you"),
        ("tmrw", "tomorrow"),
        ("tmr", "tomorrow"),
        ("tmrrw", "tomorrow"),
        ("tmw", "tomorrow"),
        ("2moro", "tomorrow"),
        ("2morrow", "tomorrow"),
        ("tomoz", "tomorrow"),
        ("tdy", "today"),
        ("2nite", "tonight"),
        ("tonite", "tonight"),
        ("appt", "appointment"),
        ("appts", "appointments"),
        ("apt", "appointment"),
        ("w", "with"),
        ("b4", "before"),
        ("gonna", "going to"),
        ("wanna", "want to"),
        ("gotta", "got to"),
        ("dont", "do not"),
        ("doesnt", "does not"),
        ("didnt", "did not"),
        ("cant", "can not"),
        ("cannot", "can not"),
        ("wont", "will not"),
        ("wouldnt", "would not"),
        ("couldnt", "could not"),
        ("shouldnt", "should not"),
        ("isnt", "is not"),
        ("arent", "are not"),
        ("im", "i am"),
        ("ive", "i have"),
        ("id", "i would"),
        ("youre", "you are"),
        ("thats", "that is"),
        ("whats", "what is"),
        ("wheres", "where is"),
        ("hows", "how is"),
        ("its", "it is"),
        ("theres", "there is"),
        ("whos", "who is"),
    ]
    .into_iter()
    .filter(|(k, v)| k != v)
    .collect()
});

/// Every word an abbreviation expands to.
pub(crate) fn expansion_words() -> impl Iterator<Item = &'static str> {
    ABBREVIATIONS.values().flat_map(|v| v.split(' '))
}

fn ends_with_digit_then(token: &str, letter: char) -> Option<&str> {
    let stem = token.strip_suffix(letter)?;
    stem.bytes().last().is_some_and(|b| b.is_ascii_digit()).then_some(stem)
}

/// Tokens of `text` after every normalisation step, with their raw byte ranges.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let raw = raw_tokens(text);
    let collapsed: Vec<Token> = raw
        .into_iter()
        .map(|t| Token { text: collapse_repeats(&t.text), start: t.start, end: t.end })
        .collect();

    // "2 p.m." -> "2 pm", "10a.m." -> "10am": merged before "p" can become "para".
    let mut merged: Vec<Token> = Vec::with_capacity(collapsed.len());
    let mut iter = collapsed.into_iter().peekable();
    while let Some(t) = iter.next() {
        if iter.peek().is_some_and(|n| n.text == "m") {
            let prev_digit = merged.last().is_some_and(|p| p.text.ends_with(|c: char| c.is_ascii_digit()));
            let solo = (t.text == "a" || t.text == "p") && prev_digit;
            let glued =
                ends_with_digit_then(&t.text, 'a').is_some() || ends_with_digit_then(&t.text, 'p').is_some();
            if (solo || glued)
                && let Some(m) = iter.next()
            {
                merged.push(Token { text: format!("{}m", t.text), start: t.start, end: m.end });
                continue;
            }
        }
        merged.push(t);
    }

    let mut out = Vec::with_capacity(merged.len() + 4);
    for t in merged {
        match ABBREVIATIONS.get(t.text.as_str()) {
            Some(expansion) => out.extend(expansion.split(' ').map(|w| Token {
                text: w.to_owned(),
                start: t.start,
                end: t.end,
            })),
            None => out.push(t),
        }
    }
    out
}

/// See [`super::normalize`].
pub(crate) fn normalize(text: &str) -> String {
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

/// Optimal-string-alignment Damerau-Levenshtein distance, capped: returns `max + 1` as soon as
/// the distance is known to exceed `max`.
pub(crate) fn damerau_levenshtein(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

/// Typo tolerance for keywords: a deletion index (SymSpell style) over every keyword of five or
/// more letters. Keywords of 5..=9 letters accept one edit, longer ones two.
struct FuzzyIndex {
    words: Vec<&'static str>,
    deletions: HashMap<String, Vec<u32>>,
}

fn max_edits(len: usize) -> usize {
    if len >= 10 { 2 } else { 1 }
}

fn deletion_variants(word: &str, depth: usize, out: &mut HashSet<String>) {
    let chars: Vec<char> = word.chars().collect();
    for i in 0..chars.len() {
        let variant: String = chars.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| *c).collect();
        if out.insert(variant.clone()) && depth > 1 {
            deletion_variants(&variant, depth - 1, out);
        }
    }
}

static FUZZY: LazyLock<FuzzyIndex> = LazyLock::new(|| {
    let mut words: Vec<&'static str> = lexicon::keywords()
        .filter(|w| w.chars().count() >= 5 && w.bytes().all(|b| b.is_ascii_lowercase()))
        .collect();
    words.sort_unstable();
    words.dedup();
    let mut deletions: HashMap<String, Vec<u32>> = HashMap::new();
    for (id, w) in words.iter().enumerate() {
        let mut variants = HashSet::new();
        variants.insert((*w).to_owned());
        deletion_variants(w, max_edits(w.len()), &mut variants);
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        for v in variants {
            deletions.entry(v).or_default().push(id);
        }
    }
    FuzzyIndex { words, deletions }
});

/// The keyword an unknown token is a typo of, if exactly one is closest.
pub(crate) fn correct(token: &str) -> Option<&'static str> {
    let len = token.chars().count();
    if !(4..=24).contains(&len) || !token.bytes().all(|b| b.is_ascii_lowercase()) || lexicon::is_known(token)
    {
        return None;
    }
    let index = &*FUZZY;
    let mut variants = HashSet::new();
    variants.insert(token.to_owned());
    deletion_variants(token, if len >= 9 { 2 } else { 1 }, &mut variants);
    // Closest first; then the same length, then the same first letter, then alphabetical.
    let first = token.chars().next();
    let mut best: Option<(usize, usize, bool, &'static str)> = None;
    for v in &variants {
        let Some(ids) = index.deletions.get(v) else { continue };
        for &id in ids {
            let word = index.words[id as usize];
            let allowed = max_edits(word.len());
            let d = damerau_levenshtein(token, word, allowed);
            if d > allowed {
                continue;
            }
            let key = (d, word.len().abs_diff(len), word.chars().next() != first, word);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
    }
    best.map(|(_, _, _, w)| w)
}

#[cfg(test)]
mod repeats {
    use super::collapse_repeats;

    /// Found by the property tests: a token with more than 32 doubled letters overflowed a
    /// shift (a panic in debug builds).
    #[test]
    fn a_token_with_many_runs_keeps_two_of_each() {
        let token = "aab".repeat(40);
        assert_eq!(collapse_repeats(&token), token);
        assert_eq!(collapse_repeats(&"aaab".repeat(40)), "aab".repeat(40));
    }
}
