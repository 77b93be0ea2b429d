//! How a patient wants (or does not want) to be contacted, said in words on any channel:
//! "não me liguem mais" (no more calls), "stop texting me" (no more messages), "me liga
//! amanhã às 15h" (a callback). The same detector reads WhatsApp messages and what a
//! caller said on the phone, so one consent record follows the patient across channels.
//!
//! Phrases are matched whole-word on the [`super::normalize`]d text. A stop phrase wins
//! over a callback ("não me liguem mais" is a refusal, not a request); a callback phrase
//! right after a negation is neither. Calls are checked before messages only because
//! their phrases never overlap.

use super::normalize;

/// What the patient asked about being contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRequest {
    /// No more (automated) phone calls; messages are still welcome.
    StopCalls,
    /// No more (automated) messages; calls are still welcome.
    StopMessages,
    /// Call me (back), usually at a time said in the same message.
    CallBack,
}

/// Each says "no more": a bare "não me ligue" is not here, because it usually limits a
/// call rather than refuses them ("não me ligue antes das 10h"), and a false opt-out
/// silently cuts a patient off.
const STOP_CALLS: &[&str] = &[
    "nao me liguem mais",
    "nao me ligue mais",
    "nao me liga mais",
    "nao me ligar mais",
    "nao liguem mais",
    "nao ligue mais",
    "nunca mais me ligue",
    "nunca mais me liguem",
    "para de me ligar",
    "pare de me ligar",
    "parem de me ligar",
    "parar de me ligar",
    "nao quero mais ligacoes",
    "nao quero mais ligacao",
    "nao quero receber ligacoes",
    "nao quero mais receber ligacoes",
    "chega de ligacoes",
    "do not call me again",
    "do not call me anymore",
    "do not call me any more",
    "never call me again",
    "stop calling me",
    "stop calling",
    "no more calls",
    "no more phone calls",
];

const STOP_MESSAGES: &[&str] = &[
    "nao quero mais mensagens",
    "nao quero mais mensagem",
    "nao quero receber mensagens",
    "nao quero mais receber mensagens",
    "nao me mande mais mensagens",
    "nao me mandem mais mensagens",
    "nao me mande mensagens",
    "nao me mandem mensagens",
    "para de me mandar mensagem",
    "para de me mandar mensagens",
    "pare de me mandar mensagens",
    "parem de me mandar mensagens",
    "para de mandar mensagens",
    "parem de mandar mensagens",
    "chega de mensagens",
    "stop texting me",
    "stop texting",
    "stop messaging me",
    "stop sending me messages",
    "stop sending messages",
    "no more messages",
    "no more texts",
    "do not text me",
    "do not message me",
];

const CALL_BACK: &[&str] = &[
    "me liga",
    "me ligue",
    "me liguem",
    "me ligar",
    "me ligam",
    "me retorna",
    "me retornem",
    "me retorne",
    "retornar a ligacao",
    "retorne a ligacao",
    "call me back",
    "call me",
    "give me a call",
    "ring me",
];

fn has_phrase(padded: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

/// A callback phrase not negated right before ("não me liga agora" is no request, "do
/// not call me before 10" neither).
fn asks_for_call(padded: &str) -> bool {
    CALL_BACK.iter().any(|p| {
        let needle = format!(" {p} ");
        padded.match_indices(&needle).any(|(at, _)| {
            let before = &padded[..at];
            !["nao", "do not", "never", "nunca"].iter().any(|n| before.ends_with(&format!(" {n}")))
        })
    })
}

/// The contact request in `text`, if it makes one.
pub fn contact_request(text: &str) -> Option<ContactRequest> {
    let text: String = text.chars().take(super::MAX_CHARS).collect();
    let padded = format!(" {} ", normalize(&text));
    if has_phrase(&padded, STOP_CALLS) {
        Some(ContactRequest::StopCalls)
    } else if has_phrase(&padded, STOP_MESSAGES) {
        Some(ContactRequest::StopMessages)
    } else if asks_for_call(&padded) {
        Some(ContactRequest::CallBack)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_calls_in_both_languages() {
        for t in [
            "não me liguem mais",
            "Não me liguem mais, por favor",
            "para de me ligar!",
            "PAREM DE ME LIGAR",
            "não quero mais ligações",
            "don't call me again",
            "Please stop calling me.",
            "no more calls please",
        ] {
            assert_eq!(contact_request(t), Some(ContactRequest::StopCalls), "{t:?}");
        }
    }

    #[test]
    fn stop_messages_in_both_languages() {
        for t in [
            "stop texting me",
            "Stop texting me!",
            "não quero mais mensagens",
            "nao quero mais receber mensagens",
            "para de me mandar mensagem",
            "don't text me",
        ] {
            assert_eq!(contact_request(t), Some(ContactRequest::StopMessages), "{t:?}");
        }
    }

    #[test]
    fn callbacks_in_both_languages() {
        for t in [
            "me liga amanhã às 15h",
            "Pode me ligar amanhã de manhã?",
            "call me back tomorrow at 3",
            "can you call me tomorrow",
            "me retorna depois das 14h",
            "não me liga agora, me liga amanhã às 15h",
        ] {
            assert_eq!(contact_request(t), Some(ContactRequest::CallBack), "{t:?}");
        }
    }

    #[test]
    fn everything_else_is_no_contact_request() {
        for t in [
            "",
            "quero marcar uma consulta",
            "liguei ontem e ninguém atendeu",
            "stop",
            "obrigado pela ligação",
            "I called yesterday",
            "cancelar",
            "mensagem recebida",
            "não me ligue antes das 10h",
            "don't call me before 10",
            "não me liga agora",
        ] {
            assert_eq!(contact_request(t), None, "{t:?}");
        }
    }
}
