//! The tone of a patient's message towards the clinic and the care: positive, neutral or
//! negative, in Portuguese and English. Phrase lists over the normalised tokens (accents,
//! case, repeated letters and WhatsApp abbreviations already folded), a few emoji, and
//! negation: "não gostei" and "not happy" are negative, "não foi ruim" is not.
//!
//! What counts (the labelling rule of `data/sentiment/labelled.tsv`): negative is unhappy,
//! frustrated, angry, disappointed or upset - with the clinic, a wait, a price, being
//! ignored; a symptom told calmly is neutral. Positive is thanks, praise, relief, warmth.
//! Requests, questions and plain answers are neutral.
//!
//! Why phrases and not a trained model: the set is a few hundred messages, the words that
//! carry tone are few and well known, and a list says why it decided (a staff member can
//! read it); `frontdesk sentiment eval` measures it.

use super::matcher::{Hit, PatternSet, claim};
use super::text;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub const ALL: [Sentiment; 3] = [Self::Positive, Self::Neutral, Self::Negative];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Neutral => "neutral",
            Self::Negative => "negative",
        }
    }

    pub fn parse(s: &str) -> Option<Sentiment> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether a conversation whose previous message from the patient had the tone
    /// `before` turned negative with one of tone `self`: from positive or neutral (a
    /// conversation that opened angry did not turn; it was so from the start).
    pub fn turned_negative(self, before: Option<Sentiment>) -> bool {
        self == Self::Negative && matches!(before, Some(Self::Positive | Self::Neutral))
    }
}

impl std::str::FromStr for Sentiment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| format!("`{s}` is not positive, neutral or negative"))
    }
}

impl std::fmt::Display for Sentiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Positive,
    Negative,
    /// Claims its words and means nothing: "no thanks" is a polite no, "I'd like" a wish.
    Neither,
    /// Words of thanks: positive, and never turned around by a "no" before them ("não,
    /// obrigado" declines politely).
    Thanks,
}

use Tone::{Negative as Neg, Neither, Positive as Pos, Thanks};

/// (tone, weight, pattern) in the syntax of `super::lexicon`.
const PHRASES: &[(Tone, f32, &str)] = &[
    // ---- thanks ---------------------------------------------------------------------
    (
        Thanks,
        1.0,
        "obrigad*|obrigado|obrigada|brigad*|brigado|brigada|agradec*|agradecida|agradecido|gratidao|grato|grata|valeu",
    ),
    (Thanks, 1.0, "thank|thanks|thankyou|appreciate|appreciated"),
    (Neither, 1.0, "nao|no obrigado|obrigada|thanks|thank"),
    (Neither, 1.0, "no thank you"),
    // ---- praise, relief, warmth ------------------------------------------------------------
    (
        Pos,
        1.0,
        "otimo|otima|otimos|otimas|excelente|excelentes|perfeito|perfeita|maravilh*|adorei|adoramos|amei|adoro|incrivel|incriveis|parabens|gentil|gentis|atencios*|feliz|felizes|contente|satisfeit*|alivio|ufa|legal|show|top|recomendo|tranquilo|sensacional|caprichou",
    ),
    (Pos, 1.0, "um amor"),
    (Pos, 1.0, "nota 10|dez|mil"),
    (Pos, 1.0, "que bom|boa"),
    (Pos, 1.0, "muito bom|boa|bem"),
    (Pos, 1.0, "bem atendid*|cuidad*|tratad*"),
    (Pos, 1.0, "gostei|gostamos|gostou|adorou"),
    (Pos, 1.0, "deu *2 certo"),
    (Pos, 1.0, "melhor clinica|dentista|medico|medica|atendimento"),
    (Pos, 1.0, "sao *1 demais"),
    (Pos, 1.0, "noticia boa"),
    (
        Pos,
        1.0,
        "great|excellent|perfect|amazing|awesome|wonderful|fantastic|brilliant|lovely|helpful|glad|happy|satisfied|relief|recommend|cool|nice|superb|delighted|grateful|kind",
    ),
    (Pos, 1.0, "love|loved|loving|liked|enjoyed"),
    (Pos, 1.0, "you *1 rock"),
    (Pos, 1.0, "best dentist|doctor|clinic|service|ever"),
    (Pos, 1.0, "went *1 well"),
    (Pos, 1.0, "cared for"),
    (Pos, 1.0, "made my day"),
    (Pos, 1.0, "that was easy"),
    (Pos, 1.0, "good news"),
    (
        Pos,
        1.0,
        "encantad*|impecavel|fera|feras|rapidez|eficien*|carinhos*|simpatic*|prestativ*|fantastico|fantastica|espetacular|excepcional|sucesso|abencoe|anjo|doce|querid*",
    ),
    (Pos, 1.0, "bom|boa demais"),
    (Pos, 1.0, "muito educad*"),
    (Pos, 1.0, "que rapido"),
    (
        Pos,
        1.0,
        "impeccable|smoothly|relieved|pleased|impressed|friendly|professional|thorough|caring|gentle|sweet|angel|kudos|bless|efficient|outstanding|superb|terrific|fabulous",
    ),
    (Pos, 1.0, "the best"),
    (Pos, 1.0, "a million"),
    (Pos, 1.0, "well|good|great done|job"),
    (Pos, 1.0, "so|really|very good"),
    // "I'd like to book", "do you like": a wish or a question, not a liking.
    (Neither, 1.0, "would|d like"),
    (Neither, 1.0, "best time|day|way|option|price"),
    // ---- unhappiness ---------------------------------------------------------------------------
    (
        Neg,
        1.0,
        "pessim*|horrivel|horriveis|absurd*|ridicul*|descaso|decepcion*|decepcao|raiva|cansei|chatead*|grosso|grossa|grosseir*|desrespeit*|piada|palhacada|enganad*|machuc*|insatisfeit*|indignad*|irritad*|frustrad*|frustrante|revoltad*|reclamar|reclamacao|desorganiza*|bagunca|vergonha|tristeza|desespero|ignoraram|ignorou|ignorada|ignorado|affs|aff|ruim|lamentavel|inaceitavel|pior|demora|demorado|demorando",
    ),
    (Neg, 1.0, "falta|sem de? respeito"),
    (Neg, 1.0, "nao tem respeito"),
    (Neg, 1.0, "reclame aqui"),
    (Neg, 1.0, "perda de tempo"),
    (Neg, 1.0, "a toa"),
    (Neg, 1.0, "ninguem *3 responde|respondeu|responder|atende|atendeu|resolve|explica|retorna|liga|me"),
    (Neg, 1.0, "nao aguento"),
    (Neg, 1.0, "nunca mais"),
    (Neg, 1.0, "nao volto"),
    (Neg, 1.0, "cobraram|cobrou *2 mais|que|uma"),
    (Neg, 1.0, "em cima da hora"),
    (Neg, 1.0, "ta|esta|muito dificil"),
    (Neg, 1.0, "pelo amor de deus"),
    (Neg, 1.0, "respondam"),
    (Neg, 1.0, "ja falei|disse|expliquei"),
    (Neg, 1.0, "terceira|quarta vez"),
    (Neg, 1.0, "nao gostei|gostamos"),
    (Neg, 0.5, "nem *2 olhou|ligou|pediram|pediu|respondeu|desculpa"),
    (Neg, 0.5, "de novo"),
    (
        Neg,
        1.0,
        "terrible|awful|horrible|worst|ridiculous|unbelievable|disappointed|disappointing|disappointment|frustrated|frustrating|annoyed|annoying|angry|furious|upset|rude|overcharged|disrespectful|cheated|unacceptable|unhappy|complaint|complain|disorganized|mess|nightmare|shame|ignored|forever|outrageous|ugh|wtf|useless|awful|pathetic|incompetent",
    ),
    (Neg, 1.0, "a joke"),
    (
        Neg,
        1.0,
        "inacreditavel|porcaria|porco|lixo|inadmissivel|vergonhoso|nojento|sujo|suja|descontent*|magoad*|humilhad*|constrangid*|enrolacao|enrolando|enrolaram|mentira|mentiram|abandonad*|arrependid*|procon|advogado|processar|estupid*|incompetent*|amador*|desleixo|droga|atraso|atrasou|atrasaram|mal",
    ),
    (Neg, 1.0, "falta|sem de? consideracao|educacao|profissionalismo|organizacao|compromisso|respeito"),
    (Neg, 1.0, "e|ainda|agora nada$"),
    (Neg, 1.0, "ate agora nada"),
    (Neg, 1.0, "sem|nenhuma|nenhum resposta|retorno"),
    (Neg, 1.0, "horas esperando"),
    (Neg, 1.0, "fiquei|fico|estou|to|ta esperando"),
    (Neg, 1.0, "perderam|perdeu|sumiram"),
    (Neg, 1.0, "deixa a desejar"),
    (Neg, 1.0, "saco|sacanagem"),
    (Neg, 1.0, "para|puta|puto da vida"),
    (Neg, 1.0, "nao acredito"),
    (
        Neg,
        1.0,
        "outraged|garbage|trash|badly|disgusting|dirty|scam|ripoff|unprofessional|careless|neglected|pissed|livid|sucks|hate|hated|regret|lied|bad|poor|appalling|dreadful|infuriating|fuming",
    ),
    (Neg, 1.0, "fed up"),
    (Neg, 1.0, "sick|tired of"),
    (Neg, 1.0, "rip off"),
    (Neg, 1.0, "messed|screwed up"),
    (Neg, 1.0, "lost my"),
    (Neg, 1.0, "and|still nothing$"),
    (Neg, 1.0, "no response|reply|answer|callback"),
    (Neg, 1.0, "have|has not heard"),
    (Neg, 1.0, "waited|waiting *2 hours|forever|ages"),
    (Neg, 1.0, "nobody|no one *2 called|calls|came|showed|told"),
    (Neg, 1.0, "hurt me"),
    (Neg, 1.0, "charged me"),
    (Neg, 1.0, "bad experience|service"),
    (Neg, 1.0, "waste of time"),
    (Neg, 1.0, "for nothing"),
    (Neg, 1.0, "no one|nobody *3 replied|answers|answered|picks|explains|solves|gets|calls|responds"),
    (Neg, 1.0, "i am done"),
    (Neg, 1.0, "never|not coming back"),
    (Neg, 1.0, "can not keep"),
    (Neg, 1.0, "impossible to"),
    (Neg, 1.0, "answer me"),
    (Neg, 1.0, "last minute"),
    (Neg, 1.0, "already said|told"),
    (Neg, 1.0, "three|3 times"),
    (Neg, 1.0, "third|fourth time"),
    (Neg, 1.0, "still no"),
    (Neg, 1.0, "did not even"),
    (Neg, 1.0, "did not|do not like"),
    (Neg, 1.0, "so frustrating"),
];

/// Words that turn the tone of the phrase right after them (up to two words on, with no
/// punctuation between): "não gostei", "not happy", "não foi ruim".
const NEGATORS: [&str; 6] = ["nao", "not", "never", "nunca", "nem", "sem"];

static SET: LazyLock<PatternSet> = LazyLock::new(|| PatternSet::new(PHRASES.iter().map(|(_, _, p)| *p)));

/// Every word the phrases name exactly.
static VOCABULARY: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    PHRASES
        .iter()
        .flat_map(|(_, _, p)| p.split([' ', '|']))
        .map(|w| w.trim_start_matches('^').trim_end_matches(['$', '?']))
        .filter(|w| !w.is_empty() && !w.ends_with('*'))
        .collect()
});

/// The message's words as the phrases read them: the tokenizer's, except where it shortened
/// a doubled letter into another known word ("poor" is not "por", "feed" not "fed") and the
/// word as written is one of the phrases'.
fn words(raw: &str, tokens: &[text::Token]) -> Vec<String> {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    tokens
        .iter()
        .map(|t| {
            let written: String = raw
                .get(t.start..t.end)
                .unwrap_or_default()
                .nfkd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .collect();
            if written != t.text && VOCABULARY.contains(written.as_str()) { written } else { t.text.clone() }
        })
        .collect()
}

/// Emoji with a tone of their own (most are read as separators by the tokenizer).
fn emoji_tone(c: char) -> Option<Tone> {
    match c {
        '😊' | '😍' | '🥰' | '❤' | '💙' | '💚' | '💜' | '🙏' | '👏' | '😀' | '😁' | '😃' | '😄' | '🤗'
        | '🌟' | '✨' | '🥳' | '😘' | '💖' | '💕' => Some(Pos),
        '😡' | '😠' | '😤' | '👎' | '😞' | '😢' | '😭' | '🤬' | '😒' | '🙄' | '😩' | '😫' | '💢' => {
            Some(Neg)
        }
        _ => None,
    }
}

/// The evidence of each tone in a message: (positive, negative).
pub fn evidence(message: &str) -> (f32, f32) {
    let raw = super::truncate(message);
    let tokens = text::tokenize(raw);
    let owned = words(raw, &tokens);
    let words: Vec<&str> = owned.iter().map(String::as_str).collect();
    let hits = claim(
        SET.find_all(&words),
        |h: &Hit| SET.patterns[h.pattern].required,
        |h: &Hit| PHRASES[h.pattern].1,
    );
    let (mut pos, mut neg) = (0f32, 0f32);
    for hit in hits {
        let (tone, weight, _) = PHRASES[hit.pattern];
        // A negator just before, in the same clause: "nao ... gostei", "not happy".
        let negated = (hit.start.saturating_sub(2)..hit.start).any(|i| {
            NEGATORS.contains(&words[i])
                && !raw
                    .get(tokens[i].end..tokens[hit.start].start)
                    .is_some_and(|between| between.contains([',', '.', '!', '?', ';']))
        });
        match (tone, negated) {
            (Thanks, _) | (Pos, false) => pos += weight,
            (Pos, true) => neg += weight,
            // "não foi ruim": not a complaint, not praise either.
            (Neg, true) | (Neither, _) => {}
            (Neg, false) => neg += weight,
        }
    }
    for c in raw.chars() {
        match emoji_tone(c) {
            Some(Pos) => pos += 0.5,
            Some(Neg) => neg += 1.0,
            _ => {}
        }
    }
    // "!!!" and "??" make a complaint louder, not praise out of nothing.
    if neg > 0.0 && (raw.contains("!!") || raw.contains("??")) {
        neg += 0.5;
    }
    (pos, neg)
}

/// The tone of one message.
pub fn sentiment(message: &str) -> Sentiment {
    let (pos, neg) = evidence(message);
    // A complaint with a "thanks" in it is still a complaint ("obrigado por nada").
    if neg > 0.0 && neg >= pos * 0.75 {
        Sentiment::Negative
    } else if pos > 0.0 {
        Sentiment::Positive
    } else {
        Sentiment::Neutral
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_is_read_in_both_languages_with_negation() {
        for (text, want) in [
            ("Muito obrigada, vocês são ótimos!", Sentiment::Positive),
            ("thanks!! 🙏", Sentiment::Positive),
            ("quero marcar uma consulta", Sentiment::Neutral),
            ("I'd like to book a cleaning", Sentiment::Neutral),
            ("estou com dor de dente", Sentiment::Neutral),
            ("não gostei do atendimento", Sentiment::Negative),
            ("not happy with it at all", Sentiment::Negative),
            ("não foi ruim", Sentiment::Neutral),
            ("não, obrigado, já marquei", Sentiment::Neutral),
            ("no thanks", Sentiment::Neutral),
            ("ngm responde aqui nao?", Sentiment::Negative),
            ("obrigado por nada, péssimo", Sentiment::Negative),
            ("😡", Sentiment::Negative),
            ("", Sentiment::Neutral),
        ] {
            assert_eq!(sentiment(text), want, "{text}");
        }
    }

    #[test]
    fn a_conversation_turns_negative_only_from_a_calmer_message() {
        use Sentiment::*;
        assert!(Negative.turned_negative(Some(Neutral)));
        assert!(Negative.turned_negative(Some(Positive)));
        assert!(!Negative.turned_negative(Some(Negative)));
        assert!(!Negative.turned_negative(None));
        assert!(!Neutral.turned_negative(Some(Positive)));
    }
}
