//! Entity extraction, slot choice, normalisation and robustness.

use super::*;
use crate::scheduling::DayPeriod;
use jiff::civil::{Weekday, date, time};
use proptest::prelude::*;

/// A Wednesday.
const TODAY: Date = Date::constant(2026, 6, 3);

fn u(text: &str) -> Understanding {
    understand(text, &[], TODAY)
}

fn e(text: &str) -> Entities {
    u(text).entities
}

fn slots(starts: &[(i16, i8, i8, i8, i8)]) -> Vec<OfferedSlot> {
    starts
        .iter()
        .map(|&(y, mo, d, h, mi)| OfferedSlot { local_start: date(y, mo, d).at(h, mi, 0, 0) })
        .collect()
}

#[test]
fn today_is_a_wednesday() {
    assert_eq!(TODAY.weekday(), Weekday::Wednesday);
}

#[test]
fn relative_dates() {
    assert_eq!(e("tem horário hoje?").date, Some(date(2026, 6, 3)));
    assert_eq!(e("today please").date, Some(date(2026, 6, 3)));
    assert_eq!(e("vc tem horario amanha?").date, Some(date(2026, 6, 4)));
    assert_eq!(e("amanhã").date, Some(date(2026, 6, 4)));
    assert_eq!(e("tomorrow at 10").date, Some(date(2026, 6, 4)));
    assert_eq!(e("tmrw?").date, Some(date(2026, 6, 4)));
    assert_eq!(e("depois de amanhã de manhã").date, Some(date(2026, 6, 5)));
    assert_eq!(e("dps de amanha").date, Some(date(2026, 6, 5)));
    assert_eq!(e("the day after tomorrow").date, Some(date(2026, 6, 5)));
    assert_eq!(e("quero marcar").date, None);
}

#[test]
fn weekdays() {
    let sexta = e("remarca pra sexta pfv");
    assert_eq!(sexta.weekday, Some(Weekday::Friday));
    assert_eq!(sexta.date, Some(date(2026, 6, 5)));
    assert_eq!(e("segunda-feira").date, Some(date(2026, 6, 8)));
    assert_eq!(e("segunda").weekday, Some(Weekday::Monday));
    assert_eq!(e("terça às 9").date, Some(date(2026, 6, 9)));
    // Today does not count: "quarta" on a Wednesday is next week's.
    assert_eq!(e("quarta").date, Some(date(2026, 6, 10)));
    assert_eq!(e("quinta").date, Some(date(2026, 6, 4)));
    assert_eq!(e("sábado de manhã").date, Some(date(2026, 6, 6)));
    assert_eq!(e("domingo").weekday, Some(Weekday::Sunday));
    assert_eq!(e("monday").date, Some(date(2026, 6, 8)));
    assert_eq!(e("on Thursday").date, Some(date(2026, 6, 4)));
    assert_eq!(e("fri 3pm").weekday, Some(Weekday::Friday));
    assert_eq!(e("sex 10h").weekday, Some(Weekday::Friday));
    assert_eq!(e("2ª feira").weekday, Some(Weekday::Monday));
    // Next week's.
    assert_eq!(e("próxima sexta").date, Some(date(2026, 6, 12)));
    assert_eq!(e("next monday").date, Some(date(2026, 6, 8)));
    assert_eq!(e("next friday").date, Some(date(2026, 6, 12)));
    assert_eq!(e("sexta que vem").date, Some(date(2026, 6, 12)));
    assert_eq!(e("quinta da semana que vem").date, Some(date(2026, 6, 11)));
    assert_eq!(e("tuesday next week").date, Some(date(2026, 6, 9)));
    // Ordinals are not weekdays.
    assert_eq!(e("a segunda opção").weekday, None);
    assert_eq!(e("é a segunda vez que peço").weekday, None);
    // "ter" is "to have", not Tuesday.
    assert_eq!(e("vou ter que cancelar").weekday, None);
}

#[test]
fn numeric_and_named_dates() {
    assert_eq!(e("dia 12").date, Some(date(2026, 6, 12)));
    assert_eq!(e("dia 3").date, Some(date(2026, 6, 3)));
    assert_eq!(e("dia 1").date, Some(date(2026, 7, 1)));
    // June has 30 days: the next 31st is in July.
    assert_eq!(e("no dia 31").date, Some(date(2026, 7, 31)));
    assert_eq!(e("pode ser 12/10?").date, Some(date(2026, 10, 12)));
    assert_eq!(e("dia 12/10 às 14h").date, Some(date(2026, 10, 12)));
    assert_eq!(e("can I come on 10/12?").date, Some(date(2026, 10, 12)));
    assert_eq!(e("is 25/12 possible for you?").date, Some(date(2026, 12, 25)));
    // In the past this year: next year.
    assert_eq!(e("01/02").date, Some(date(2027, 2, 1)));
    assert_eq!(e("12/10/2027").date, Some(date(2027, 10, 12)));
    assert_eq!(e("12/10/27").date, Some(date(2027, 10, 12)));
    assert_eq!(e("12 de outubro").date, Some(date(2026, 10, 12)));
    assert_eq!(e("dia 5 de julho de manhã").date, Some(date(2026, 7, 5)));
    assert_eq!(e("October 12").date, Some(date(2026, 10, 12)));
    assert_eq!(e("could I get an appointment on Oct 12th?").date, Some(date(2026, 10, 12)));
    assert_eq!(e("the 12th of october").date, Some(date(2026, 10, 12)));
    assert_eq!(e("anything on the 15th?").date, Some(date(2026, 6, 15)));
    assert_eq!(e("1º de maio").date, Some(date(2027, 5, 1)));
    // "may" and "out" are words, not months, without a day.
    assert_eq!(e("may I book?").date, None);
    assert_eq!(e("I'm out of town").date, None);
    // An explicit date wins over the weekday, which is still reported.
    let both = e("sexta dia 12");
    assert_eq!(both.date, Some(date(2026, 6, 12)));
    assert_eq!(both.weekday, Some(Weekday::Friday));
    // "from ... to ...": the target wins.
    assert_eq!(e("mudar de segunda para quarta").weekday, Some(Weekday::Wednesday));
    assert_eq!(e("passar a de amanhã pra sexta").date, Some(date(2026, 6, 5)));
}

#[test]
fn times() {
    assert_eq!(e("às 10h").time, Some(time(10, 0, 0, 0)));
    assert_eq!(e("10h30").time, Some(time(10, 30, 0, 0)));
    assert_eq!(e("14:30").time, Some(time(14, 30, 0, 0)));
    assert_eq!(e("14h").time, Some(time(14, 0, 0, 0)));
    assert_eq!(e("lá pelas 16 horas").time, Some(time(16, 0, 0, 0)));
    assert_eq!(e("2pm").time, Some(time(14, 0, 0, 0)));
    assert_eq!(e("2:30 pm").time, Some(time(14, 30, 0, 0)));
    assert_eq!(e("2 p.m.").time, Some(time(14, 0, 0, 0)));
    assert_eq!(e("10 am").time, Some(time(10, 0, 0, 0)));
    assert_eq!(e("12am").time, Some(time(0, 0, 0, 0)));
    assert_eq!(e("ao meio-dia").time, Some(time(12, 0, 0, 0)));
    assert_eq!(e("meio dia e meia").time, Some(time(12, 30, 0, 0)));
    assert_eq!(e("at noon").time, Some(time(12, 0, 0, 0)));
    assert_eq!(e("às 10 e meia").time, Some(time(10, 30, 0, 0)));
    assert_eq!(e("the 10am one").time, Some(time(10, 0, 0, 0)));
    assert_eq!(e("às duas").time, Some(time(14, 0, 0, 0)));
    // Bare early hours are afternoon; a leading zero or a period says otherwise.
    assert_eq!(e("às 2").time, Some(time(14, 0, 0, 0)));
    assert_eq!(e("at 3").time, Some(time(15, 0, 0, 0)));
    assert_eq!(e("06:30").time, Some(time(6, 30, 0, 0)));
    assert_eq!(e("3 da tarde").time, Some(time(15, 0, 0, 0)));
    assert_eq!(e("8 da noite").time, Some(time(20, 0, 0, 0)));
    assert_eq!(e("6 da manhã").time, Some(time(6, 0, 0, 0)));
    assert_eq!(e("7 in the morning").time, Some(time(7, 0, 0, 0)));
    assert_eq!(e("segunda 9").time, Some(time(9, 0, 0, 0)));
    // Counts, dates and nonsense are no times.
    assert_eq!(e("tenho 2 filhos").time, None);
    assert_eq!(e("dia 12").time, None);
    assert_eq!(e("as 2 opções").time, None);
    assert_eq!(e("25h").time, None);
    assert_eq!(e("10:75").time, None);
    // "from 10 to 3": the new time wins.
    assert_eq!(e("mudar das 10h para as 15h").time, Some(time(15, 0, 0, 0)));
}

#[test]
fn periods() {
    assert_eq!(e("de manhã").period, Some(DayPeriod::Morning));
    assert_eq!(e("pela manha").period, Some(DayPeriod::Morning));
    assert_eq!(e("à tarde").period, Some(DayPeriod::Afternoon));
    assert_eq!(e("de tarde").period, Some(DayPeriod::Afternoon));
    assert_eq!(e("à noite").period, Some(DayPeriod::Evening));
    assert_eq!(e("morning works").period, Some(DayPeriod::Morning));
    assert_eq!(e("friday afternoon").period, Some(DayPeriod::Afternoon));
    assert_eq!(e("in the evening").period, Some(DayPeriod::Evening));
    assert_eq!(e("tonight").period, Some(DayPeriod::Evening));
    assert_eq!(e("after work").period, Some(DayPeriod::Evening));
    assert_eq!(e("3 da tarde").period, Some(DayPeriod::Afternoon));
    // Greetings are not periods.
    assert_eq!(e("boa tarde").period, None);
    assert_eq!(e("boa noite!").period, None);
    assert_eq!(e("good morning").period, None);
    assert_eq!(e("good evening").period, None);
    let both = e("Boa tarde, tem horário amanhã de manhã?");
    assert_eq!(both.period, Some(DayPeriod::Morning));
    assert_eq!(both.date, Some(date(2026, 6, 4)));
}

#[test]
fn names() {
    let name = |t: &str| e(t).name;
    assert_eq!(name("meu nome é Maria Souza"), Some("Maria Souza".into()));
    assert_eq!(
        name("Olá! Meu nome é Maria Souza e gostaria de marcar uma consulta"),
        Some("Maria Souza".into())
    );
    assert_eq!(name("me chamo joão"), Some("João".into()));
    assert_eq!(name("sou a Ana Paula, queria marcar"), Some("Ana Paula".into()));
    assert_eq!(name("sou a ana"), Some("Ana".into()));
    assert_eq!(name("my name is John Smith"), Some("John Smith".into()));
    assert_eq!(name("my name is john smith and i want to book"), Some("John Smith".into()));
    assert_eq!(name("this is Mary"), Some("Mary".into()));
    assert_eq!(name("Hi, this is Mark. I had an appointment"), Some("Mark".into()));
    assert_eq!(name("I'm Carlos, can I book?"), Some("Carlos".into()));
    assert_eq!(name("meu nome é maria da silva e quero marcar"), Some("Maria da Silva".into()));
    assert_eq!(name("MEU NOME É JOSÉ"), Some("José".into()));
    // Not names.
    assert_eq!(name("sou paciente de vocês"), None);
    assert_eq!(name("sou a mãe da Júlia"), None);
    assert_eq!(name("I'm sick"), None);
    assert_eq!(name("this is urgent"), None);
    assert_eq!(name("quero marcar"), None);
    // The name is not read as anything else.
    assert_eq!(u("meu nome é Marcos").intent, Intent::Unclear);
}

#[test]
fn urgency() {
    for text in [
        "urgente",
        "é urgênte!!",
        "estou com dor forte",
        "muita dor de dente",
        "tem horário hoje ainda?",
        "emergency",
        "can I come asap",
        "it hurts",
        "my tooth really hurts",
        "o mais rápido possível",
    ] {
        assert!(u(text).urgent, "{text}");
    }
    for text in ["quero marcar", "hoje não", "right now is not a good time", "what time do you open?"] {
        assert!(!u(text).urgent, "{text}");
    }
}

#[test]
fn language() {
    assert_eq!(u("quero marcar uma consulta").lang, Lang::PtBr);
    assert_eq!(u("vc tem horario amanha?").lang, Lang::PtBr);
    assert_eq!(u("olá").lang, Lang::PtBr);
    assert_eq!(u("I'd like to book a cleaning").lang, Lang::En);
    assert_eq!(u("can u fit me in tmrw").lang, Lang::En);
    // Nothing to go on: the clinic's default.
    assert_eq!(u("ok").lang, Lang::PtBr);
    assert_eq!(u("👍").lang, Lang::PtBr);
}

#[test]
fn normalisation() {
    assert_eq!(normalize("Vc tem horário amanhã?"), "voce tem horario amanha");
    assert_eq!(normalize("qro marcar"), "quero marcar");
    assert_eq!(normalize("kero agendar pfv"), "quero agendar por favor");
    assert_eq!(normalize("tb quero, obg"), "tambem quero obrigado");
    assert_eq!(normalize("hj td blz?"), "hoje tudo beleza");
    assert_eq!(normalize("q horas?"), "que horas");
    assert_eq!(normalize("manda msg pfvr"), "manda mensagem por favor");
    assert_eq!(normalize("u free tmr? pls"), "you free tomorrow please");
    assert_eq!(normalize("I'd like to book, can't come Mon"), "i would like to book can not come mon");
    assert_eq!(normalize("OIIII"), "oi");
    assert_eq!(normalize("simmm"), "sim");
    assert_eq!(normalize("bom diaaaa"), "bom dia");
    assert_eq!(normalize("goood morning"), "good morning");
    assert_eq!(normalize("kkkkkk"), "kk");
    assert_eq!(normalize("  às   14:30,  dia 12/10. "), "as 14:30 dia 12/10");
    assert_eq!(normalize("segunda-feira 2 p.m."), "segunda feira 2 pm");
    assert_eq!(normalize("1º"), "1o");
    assert_eq!(normalize("👍"), "ok");
    assert_eq!(normalize("ÇÃO É"), "cao e");
    assert_eq!(normalize(""), "");
}

#[test]
fn typos_are_corrected() {
    assert_eq!(text::correct("agnedar"), Some("agendar"));
    assert_eq!(text::correct("canselar"), Some("cancelar"));
    assert_eq!(text::correct("rescheudle"), Some("reschedule"));
    assert_eq!(text::correct("atendnte"), Some("atendente"));
    // Known words are never "corrected", short words neither.
    assert_eq!(text::correct("pessoal"), None);
    assert_eq!(text::correct("manha"), None);
    assert_eq!(text::correct("oie"), None);
    assert_eq!(u("quero marca uma consuta").intent, Intent::BookingRequest);
    assert_eq!(u("cancle my booking plz").intent, Intent::Cancel);
}

#[test]
fn intents_and_priorities() {
    let cases = [
        ("oi, quero marcar", Intent::BookingRequest),
        ("bom dia, preciso cancelar", Intent::Cancel),
        ("não vou poder ir", Intent::Cancel),
        ("cancelar", Intent::Cancel),
        ("cancelar as mensagens", Intent::OptOut),
        ("STOP", Intent::OptOut),
        ("Parar", Intent::OptOut),
        ("stop messaging me", Intent::OptOut),
        ("não quero mais receber mensagens", Intent::OptOut),
        ("quero falar com uma pessoa", Intent::HumanRequest),
        ("nao vou conseguir ir amanha, pode ser na sexta?", Intent::Reschedule),
        ("cancela a de amanhã e marca pra sexta", Intent::Reschedule),
        ("não quero cancelar, quero remarcar", Intent::Reschedule),
        ("nao quero marcar agora", Intent::Decline),
        ("qual o endereço?", Intent::Question),
        ("quanto custa pra marcar uma limpeza?", Intent::Question),
        ("amanhã de manhã tem?", Intent::BookingRequest),
        ("tudo bem?", Intent::Greeting),
        ("no problem", Intent::Confirm),
        ("obrigado", Intent::Unclear),
        ("2", Intent::Unclear),
        ("", Intent::Unclear),
    ];
    for (text, intent) in cases {
        assert_eq!(u(text).intent, intent, "{text}");
    }
}

#[test]
fn confidence_is_honest() {
    let strong = u("quero marcar uma consulta");
    let weak = u("consulta");
    let unclear = u("asdfgh");
    assert!(strong.confidence > weak.confidence);
    assert!((0.0..=1.0).contains(&unclear.confidence));
    assert!(u("quero marca uma consuta").confidence < strong.confidence, "a typo costs confidence");
}

/// Monday 10:00 and 14:00, Tuesday 09:00.
fn monday_tuesday() -> Vec<OfferedSlot> {
    slots(&[(2026, 6, 8, 10, 0), (2026, 6, 8, 14, 0), (2026, 6, 9, 9, 0)])
}

fn pick(text: &str, offered: &[OfferedSlot]) -> Option<SlotChoice> {
    understand(text, offered, TODAY).slot_choice
}

#[test]
fn slot_choice_by_position() {
    let offered = monday_tuesday();
    let index = |i| Some(SlotChoice::Index(i));
    assert_eq!(pick("2", &offered), index(1));
    assert_eq!(pick("opção 2", &offered), index(1));
    assert_eq!(pick("quero a 3", &offered), index(2));
    assert_eq!(pick("o primeiro", &offered), index(0));
    assert_eq!(pick("1º", &offered), index(0));
    assert_eq!(pick("primeira", &offered), index(0));
    assert_eq!(pick("first", &offered), index(0));
    assert_eq!(pick("the second one please", &offered), index(1));
    assert_eq!(pick("the last one", &offered), index(2));
    assert_eq!(pick("o último", &offered), index(2));
    assert_eq!(pick("qualquer um serve", &offered), index(0));
    // Out of range, or a count: no choice.
    assert_eq!(pick("4", &offered), None);
    assert_eq!(pick("tenho 2 filhos, qual o endereço?", &offered), None);
    assert_eq!(pick("é minha primeira consulta", &offered), None);
    // No offer, no choice.
    assert_eq!(pick("2", &[]), None);
}

#[test]
fn slot_choice_by_moment() {
    let offered = monday_tuesday();
    let index = |i| Some(SlotChoice::Index(i));
    assert_eq!(pick("o das 14h", &offered), index(1));
    assert_eq!(pick("the 9am one", &offered), index(2));
    assert_eq!(pick("segunda às 10", &offered), index(0));
    assert_eq!(pick("terça", &offered), index(2));
    assert_eq!(pick("tuesday works", &offered), index(2));
    assert_eq!(pick("a de segunda à tarde", &offered), index(1));
    assert_eq!(pick("às 2", &offered), index(1));
    // Two Monday slots, nothing else said: "segunda" is the 2nd slot only because it is a Monday.
    assert_eq!(pick("segunda", &offered), index(1));
    // Nothing offered at that time.
    assert_eq!(pick("o das 16h", &offered), None);
}

#[test]
fn segunda_weekday_or_position() {
    // Monday 10:00, Tuesday 09:00, Wednesday 11:00.
    let offered = slots(&[(2026, 6, 8, 10, 0), (2026, 6, 9, 9, 0), (2026, 6, 10, 11, 0)]);
    let index = |i| Some(SlotChoice::Index(i));
    // One Monday slot: the weekday.
    assert_eq!(pick("segunda", &offered), index(0));
    assert_eq!(pick("na segunda", &offered), index(0));
    // Bare article: the position; the weekday is dropped from the entities.
    assert_eq!(pick("a segunda", &offered), index(1));
    let second = understand("a segunda", &offered, TODAY);
    assert_eq!(second.entities.weekday, None);
    assert_eq!(second.entities.date, None);
    assert_eq!(pick("a segunda opção", &offered), index(1));
    // "quinta" has no Thursday slot and there is no fifth slot: nothing.
    assert_eq!(pick("quinta", &offered), None);
    // No Monday at all: the position.
    let no_monday = slots(&[(2026, 6, 9, 9, 0), (2026, 6, 10, 11, 0), (2026, 6, 11, 8, 0)]);
    assert_eq!(pick("segunda", &no_monday), index(1));
    assert_eq!(pick("quinta", &no_monday), index(2));
    assert_eq!(pick("a quinta", &no_monday), index(2));
}

#[test]
fn slot_choice_none_and_intents() {
    let offered = monday_tuesday();
    for text in ["nenhum", "nenhuma dessas", "outro horário", "outro dia", "none of these", "another time"] {
        let reply = understand(text, &offered, TODAY);
        assert_eq!(reply.slot_choice, Some(SlotChoice::NoneOfThese), "{text}");
        assert_eq!(reply.intent, Intent::Decline, "{text}");
    }
    let chosen = understand("pode ser o das 14h", &offered, TODAY);
    assert_eq!(chosen.intent, Intent::Confirm);
    assert_eq!(understand("2", &offered, TODAY).intent, Intent::Confirm);
    // A picked slot does not hide a cancellation.
    assert_eq!(understand("cancela o 2", &offered, TODAY).intent, Intent::Cancel);
    // A yes picks the only slot offered, not one of several.
    let one = slots(&[(2026, 6, 8, 10, 0)]);
    assert_eq!(pick("sim", &one), Some(SlotChoice::Index(0)));
    assert_eq!(pick("sim", &offered), None);
    assert_eq!(understand("sim", &offered, TODAY).intent, Intent::Confirm);
    // Proposing another moment while declining the offer is a booking request.
    assert_eq!(understand("nenhum, tem sábado?", &offered, TODAY).intent, Intent::BookingRequest);
}

#[test]
fn serde_round_trip() {
    let reply = understand("meu nome é Ana, pode ser sexta às 14h?", &[], TODAY);
    let json = serde_json::to_value(&reply).expect("serialise");
    assert_eq!(json["intent"], "booking_request");
    assert_eq!(json["lang"], "pt-BR");
    assert_eq!(json["entities"]["weekday"], "friday");
    assert_eq!(json["entities"]["date"], "2026-06-05");
    assert_eq!(json["entities"]["time"], "14:00:00");
    assert_eq!(json["entities"]["name"], "Ana");
    let back: Understanding = serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, reply);
    assert_eq!(serde_json::to_value(SlotChoice::NoneOfThese).expect("json"), "none_of_these");
    assert_eq!(serde_json::to_value(SlotChoice::Index(1)).expect("json"), serde_json::json!({"index": 1}));
    for intent in Intent::ALL {
        assert_eq!(intent.as_str().parse::<Intent>(), Ok(intent));
        assert_eq!(serde_json::to_value(intent).expect("json"), intent.as_str());
    }
    assert!("booking".parse::<Intent>().is_err());
}

#[test]
fn patterns_are_well_formed() {
    let sources = lexicon::INTENT_PATTERNS
        .iter()
        .map(|(_, _, p)| *p)
        .chain(lexicon::NONE_OF_THESE.iter().copied())
        .chain(lexicon::PROPOSALS.iter().copied())
        .chain(lexicon::CANT.iter().copied())
        .chain(lexicon::URGENT.iter().copied());
    for source in sources {
        for slot in source.trim_start_matches('^').trim_end_matches('$').split(' ') {
            if let Some(gap) = slot.strip_prefix('*') {
                assert!(gap.is_empty() || gap.parse::<usize>().is_ok(), "{source}: {slot}");
                continue;
            }
            for alt in slot.trim_end_matches('?').split('|') {
                let word = alt.trim_end_matches('*');
                assert!(
                    !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{source}: {alt:?}"
                );
            }
        }
        assert!(!source.trim_start_matches('^').starts_with('*'), "{source}: starts with a gap");
        let first = source.trim_start_matches('^').split(' ').next().unwrap_or("");
        assert!(!first.ends_with('?'), "{source}: optional first word");
    }
}

#[test]
fn abbreviations_are_stable() {
    for word in text::expansion_words() {
        assert!(!text::ABBREVIATIONS.contains_key(word), "{word} expands again");
        assert!(lexicon::is_known(word), "{word} is not a known word");
        assert_eq!(normalize(word), word);
    }
}

#[test]
fn damerau_levenshtein() {
    assert_eq!(text::damerau_levenshtein("marcar", "marcar", 2), 0);
    assert_eq!(text::damerau_levenshtein("marcra", "marcar", 2), 1);
    assert_eq!(text::damerau_levenshtein("agnedar", "agendar", 2), 1);
    assert_eq!(text::damerau_levenshtein("cancelar", "canselar", 2), 1);
    assert_eq!(text::damerau_levenshtein("abc", "xyz", 1), 2);
    assert_eq!(text::damerau_levenshtein("", "abc", 5), 3);
}

#[test]
fn long_and_odd_input() {
    let long = "quero marcar ".repeat(2000);
    let reply = u(&long);
    assert_eq!(reply.intent, Intent::BookingRequest);
    assert_eq!(u("????").intent, Intent::Question);
    assert_eq!(u("🤔").intent, Intent::Unclear);
    assert_eq!(u("\u{0}\u{200b}\u{feff}").intent, Intent::Unclear);
    assert_eq!(u("İSTANBUL ǅ ﬁ ½ ㎁").intent, Intent::Unclear);
}

#[test]
fn fast_enough() {
    let messages = [
        "Olá, boa tarde. Vocês teriam disponibilidade na quinta à tarde?",
        "Hi there, my name is John Smith. I'm looking for a new dentist, could I book a visit next week?",
        "nao vou conseguir ir amanha, pode ser na sexta?",
        "ok",
    ];
    let offered = monday_tuesday();
    for m in messages {
        let _ = understand(m, &offered, TODAY); // warm the tables
    }
    let rounds = 200;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for m in messages {
            std::hint::black_box(understand(std::hint::black_box(m), &offered, TODAY));
        }
    }
    let per_message = start.elapsed() / (rounds * 4);
    println!("understand: {per_message:?} per message");
    // Generous: unoptimised builds on a busy machine; release builds are far below 100 µs.
    assert!(per_message < std::time::Duration::from_millis(5), "{per_message:?}");
}

fn whatsapp_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "vc",
        "qro",
        "q",
        "tb",
        "hj",
        "pfv",
        "obg",
        "n",
        "s",
        "u",
        "pls",
        "tmrw",
        "dont",
        "I'm",
        "OIII",
        "simmm",
        "kkkk",
        "p.m.",
        "2",
        "a",
        "m",
        "14:30",
        "12/10",
        "1º",
        "👍",
        "segunda-feira",
        "às",
        "dia",
        "amanhã",
        "?",
        "!",
        ",",
        "'",
        "ção",
        "ﬁ",
        "İ",
        "ǅ",
        "ß",
        "ss",
        "nn",
        "goood",
        "p",
        "10a",
        ".",
        ":",
        "/",
    ]);
    prop::collection::vec((words, prop::sample::select(vec!["", " ", "  ", "\n"])), 0..20)
        .prop_map(|parts| parts.into_iter().map(|(w, sep)| format!("{w}{sep}")).collect())
}

proptest! {
    #[test]
    fn understand_never_panics(text in "\\PC{0,300}", offered_len in 0usize..4) {
        let offered = &monday_tuesday()[..offered_len.min(3)];
        let reply = understand(&text, offered, TODAY);
        prop_assert!((0.0..=1.0).contains(&reply.confidence));
    }

    #[test]
    fn understand_never_panics_on_any_chars(chars in prop::collection::vec(any::<char>(), 0..200)) {
        let text: String = chars.into_iter().collect();
        let _ = understand(&text, &monday_tuesday(), TODAY);
    }

    #[test]
    fn understand_never_panics_on_whatsapp(text in whatsapp_text()) {
        let _ = understand(&text, &monday_tuesday(), TODAY);
    }

    #[test]
    fn normalize_is_idempotent(text in "\\PC{0,200}") {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
    }

    #[test]
    fn normalize_is_idempotent_on_any_chars(chars in prop::collection::vec(any::<char>(), 0..100)) {
        let text: String = chars.into_iter().collect();
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
    }

    #[test]
    fn normalize_is_idempotent_on_whatsapp(text in whatsapp_text()) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
    }
}

#[test]
#[ignore = "debugging aid: NLU_DEBUG='message' cargo test -p frontdesk-domain nlu::tests::debug -- --ignored --nocapture"]
fn debug() {
    let text = std::env::var("NLU_DEBUG").unwrap_or_default();
    for line in text.split('\n') {
        let tokens = text::tokenize(line);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let canon: Vec<&str> = words.iter().map(|w| text::correct(w).unwrap_or(w)).collect();
        println!("{line:?}\n  normalised: {words:?}\n  corrected: {canon:?}");
        for h in classify::INTENTS.find_all(&canon) {
            let (sig, _, source) = lexicon::INTENT_PATTERNS[h.pattern];
            println!("  hit {sig:?} {source:?} at {} {:?}", h.start, h.words);
        }
        let s = classify::score(&canon, &vec![false; canon.len()]);
        println!("  scores {:?} verb {} weak {} q {}", s.intent, s.booking_verb, s.booking_weak, s.question);
        let offered = if std::env::var_os("NLU_OFFERED").is_some() { monday_tuesday() } else { Vec::new() };
        println!("  => {:?}", understand(line, &offered, TODAY));
    }
}
