use super::*;
use RedFlagKind as K;

fn kind(text: &str) -> Option<RedFlagKind> {
    detect(text).map(|f| f.kind)
}

#[track_caller]
fn flags(text: &str, expected: RedFlagKind) {
    let got = detect(text);
    assert!(
        got.as_ref().is_some_and(|f| f.kinds.contains(&expected)),
        "{text:?}: expected {expected}, got {got:?}\n{}",
        explain(text)
    );
}

#[track_caller]
fn calm(text: &str) {
    assert_eq!(kind(text), None, "{text:?} is no emergency\n{}", explain(text));
}

#[test]
fn the_issue_example_is_an_emergency() {
    let flag = detect("estou com dor no peito e falta de ar").expect("a red flag");
    assert_eq!(flag.kind, K::ChestPain);
    assert_eq!(flag.kinds, vec![K::ChestPain, K::ShortnessOfBreath]);
}

#[test]
fn concepts_not_phrases() {
    flags("dor forte no peito", K::ChestPain);
    flags("aperto no peito", K::ChestPain);
    flags("peito doendo", K::ChestPain);
    flags("can't breathe", K::ShortnessOfBreath);
    flags("falta de ar", K::ShortnessOfBreath);
    flags("rosto torto", K::Stroke);
    flags("não consigo mexer o braço", K::Stroke);
    flags("fala enrolada", K::Stroke);
    flags("quero me matar", K::Suicidal);
    flags("pensando em acabar com tudo", K::Suicidal);
    flags("garganta fechando depois do remédio", K::Anaphylaxis);
    flags("grávida e sangrando", K::PregnancyBleeding);
    flags("meu filho com febre de 40 e muito mole", K::ChildFeverLethargy);
}

#[test]
fn typos_slang_and_repeated_letters() {
    flags("dor no peiro", K::ChestPain);
    flags("doooor no peitooo", K::ChestPain);
    flags("falta de arr", K::ShortnessOfBreath);
    flags("sangrandoo mto", K::SevereBleeding);
    flags("gravda e sangrano", K::PregnancyBleeding);
    flags("o bb ta com febri e mto molinho", K::ChildFeverLethargy);
    flags("dificudade pra respirar", K::ShortnessOfBreath);
    flags("I cant breathe", K::ShortnessOfBreath);
}

#[test]
fn negation_cancels_the_symptom_it_reaches() {
    calm("não tenho dor no peito");
    calm("no chest pain");
    calm("sem falta de ar");
    calm("meu peito não dói, é só o dente");
    calm("I don't have any trouble breathing");
    calm("não estou grávida e não estou sangrando");
    // ... and only that one.
    flags("não tenho febre, mas estou com dor no peito", K::ChestPain);
    flags("sem febre e com falta de ar", K::ShortnessOfBreath);
    // A "não" that is part of the symptom or about something else.
    flags("não consigo respirar", K::ShortnessOfBreath);
    flags("não sei se é infarto mas meu peito está doendo", K::ChestPain);
    flags("não aguento essa dor no peito", K::ChestPain);
    flags("I'm not sure but I think I'm having a heart attack", K::ChestPain);
    // "no" is a Portuguese preposition.
    flags("dor no peito", K::ChestPain);
}

#[test]
fn history_habit_and_hypotheses_are_not_now() {
    calm("minha mãe teve AVC ano passado, quero marcar check-up");
    calm("Ano passado minha mãe teve um AVC");
    calm("meu pai teve um infarto, hoje está ótimo");
    calm("I had a stroke in 2019 and want implants");
    calm("se eu sentir dor no peito depois da anestesia, o que faço?");
    calm("what should I do if I get chest pain?");
    calm("às vezes sinto falta de ar quando subo escada");
    calm("a dor no peito já passou");
    // Now beats an older marker nearer to the symptom.
    flags("meu pai teve infarto ano passado e agora está com dor no peito de novo", K::ChestPain);
    flags("desde ontem estou com falta de ar", K::ShortnessOfBreath);
    flags("acho que meu pai está tendo um AVC", K::Stroke);
    // Somebody else now is an emergency like the patient's own.
    flags("minha esposa está com dor no peito", K::ChestPain);
    // Suicidal thoughts are never a mere habit.
    flags("às vezes penso em me matar", K::Suicidal);
}

#[test]
fn other_senses_of_the_words() {
    calm("morrendo de rir kkkk");
    calm("essa dor de dente está me matando");
    calm("dor no peito do pé");
    calm("tem ar condicionado na sala?");
    calm("exame de sangue em jejum?");
    calm("meu filho está com o dente mole e febre");
    calm("obrigada de coração");
    calm("fiquei sem ar de tanto rir");
    calm("minha gengiva sangra muito quando escovo");
    calm("estou grávida e minha gengiva sangra");
    calm("a boca ficou torta e dormente por causa da anestesia");
    calm("vou me matar de estudar");
    calm("stroke of luck");
}

#[test]
fn pairs_need_both_halves() {
    calm("estou grávida, posso fazer clareamento?");
    calm("meu filho está com febre, podemos remarcar?");
    calm("meu filho está muito mole hoje, dormiu mal");
    calm("meu rosto está inchado depois da extração");
    flags("meu rosto está inchando depois que tomei o antibiótico", K::Anaphylaxis);
    flags("meu bebê está convulsionando", K::ChildFeverLethargy);
}

#[test]
fn only_the_first_characters_are_read_and_nothing_panics() {
    let long = format!("{} dor no peito", "a ".repeat(crate::nlu::MAX_CHARS));
    assert_eq!(kind(&long), None);
    for text in ["", " ", "?!.,;", "🫀🫁", "sangue", "no", "não", "39.5", "\u{0}\u{1}", "ñ ñ ñ"] {
        let _ = detect(text);
    }
}

#[test]
fn keyboard_slips_only() {
    assert_eq!(slips("peiro", "peito", 1), 1); // r is next to t
    assert_eq!(slips("feito", "peito", 1), 2); // f is far from p
    assert_eq!(slips("peitu", "peito", 1), 1); // o/u sound alike
    assert_eq!(slips("sangrnado", "sangrando", 2), 1); // swapped
    // Real words are never corrected into symptoms.
    assert_eq!(canonical("jeito"), "jeito");
    assert_eq!(canonical("perto"), "perto");
    assert_eq!(canonical("peiro"), "peito");
}

#[test]
fn never_advise_topics() {
    let all = Topic::ALL;
    assert_eq!(never_advise("o que eu tenho?", &all), Some(Topic::Diagnosis));
    assert_eq!(never_advise("is this cancer?", &all), Some(Topic::Diagnosis));
    assert_eq!(never_advise("será que é grave?", &all), Some(Topic::Diagnosis));
    assert_eq!(never_advise("quantos mg de ibuprofeno posso tomar?", &all), Some(Topic::Dosage));
    assert_eq!(never_advise("can I take ibuprofen with amoxicillin?", &all), Some(Topic::Dosage));
    assert_eq!(never_advise("qual remédio tomo pra dor?", &all), Some(Topic::Dosage));
    assert_eq!(never_advise("o que significa o resultado do meu exame?", &all), Some(Topic::Results));
    assert_eq!(never_advise("are my blood test results normal?", &all), Some(Topic::Results));
    // Logistics are not advice.
    assert_eq!(never_advise("quero marcar uma limpeza amanhã", &all), None);
    assert_eq!(never_advise("o que eu tenho marcado pra amanhã?", &all), None);
    assert_eq!(never_advise("o que será isso?", &all), Some(Topic::Diagnosis));
    assert_eq!(never_advise("quando sai o resultado do exame?", &all), None);
    assert_eq!(never_advise("posso tomar café antes da consulta?", &all), None);
    assert_eq!(never_advise("qual o endereço?", &all), None);
    assert_eq!(never_advise("can I take the 3pm slot?", &all), None);
    // Only the clinic's topics.
    assert_eq!(never_advise("quantos mg posso tomar?", &[Topic::Diagnosis]), None);
    assert_eq!(never_advise("o que eu tenho?", &[]), None);
}

#[test]
fn kinds_round_trip() {
    for k in RedFlagKind::ALL {
        assert_eq!(k.as_str().parse::<RedFlagKind>(), Ok(k));
        assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(k.as_str())));
    }
    assert!("heart".parse::<RedFlagKind>().is_err());
}
