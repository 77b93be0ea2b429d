//! Word lists and phrase patterns, in normalised form (lower case, no accents, abbreviations
//! already expanded: "vc" is "voce", "can't" is "can not", "I'm" is "i am").
//!
//! Pattern syntax, one phrase per string:
//! - words separated by spaces must follow each other;
//! - `a|b|c` is any of the alternatives; an alternative ending in `*` is a prefix;
//! - a slot ending in `?` is optional;
//! - `*` skips up to two tokens, `*N` up to N;
//! - a leading `^` anchors at the start of the message, a trailing `$` at its end.

use super::Intent;
use super::text;
use std::collections::HashSet;
use std::sync::LazyLock;

/// What a phrase is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Sig {
    Intent(Intent),
    /// "marcar", "agendar", "book": a request to book, and the second half of "cancel and book".
    BookingVerb,
    /// "consulta", "horário", "appointment": about appointments, not by itself a request.
    BookingWeak,
    /// Interrogatives and enquiry topics ("quanto custa", "endereço", "do you accept").
    QuestionCue,
    /// Claims its words and means nothing by itself: "tem como" is not a "como" question.
    Neutral,
    /// "vou ver", "let me check": the patient has not decided; a bare "ok" next to it is no yes.
    Defer,
    /// "outro dia", "another time": a reschedule, unless slots were just offered (then it
    /// declines them).
    OtherMoment,
}

use Intent::*;
use Sig::{BookingVerb, BookingWeak, Defer, Neutral, OtherMoment, QuestionCue};

const fn i(intent: Intent) -> Sig {
    Sig::Intent(intent)
}

/// Phrases that compete for tokens: longer phrases claim their words first.
pub(crate) const INTENT_PATTERNS: &[(Sig, f32, &str)] = &[
    // ---- booking -------------------------------------------------------------------------
    (
        BookingVerb,
        1.0,
        "marcar|agendar|marque|agende|agendo|marcando|agendando|marcaria|agendaria|marcasse|agendasse|marca|marcamos|agendamos",
    ),
    (BookingVerb, 1.0, "encaixe|encaixar|encaixa|encaixem|encaixo|encaixasse"),
    (BookingVerb, 1.0, "book|schedule|scheduling"),
    (
        i(BookingRequest),
        1.5,
        "tem|teria|teriam|tinha|ha|haveria|existe|existiria|sobrou|sobrando * horario|horarios|vaga|vagas|disponibilidade|agenda|encaixe|hora",
    ),
    (i(BookingRequest), 1.0, "passar|ir|aparecer ai|la|hoje|amanha"),
    (i(BookingRequest), 1.0, "dar um pulo"),
    (
        i(BookingRequest),
        0.9,
        "quero|queria|gostaria|gostava|preciso|precisava|precisaria|poderia|posso|consigo|conseguiria|conseguir|quer|querer|interesse *3 consulta|consultar|avaliacao|limpeza|exame|retorno|atendimento|horario|vaga|encaixe|dentista|medico|medica|doutor|doutora|ortodontista|clareamento|canal|revisao|checkup|implante|agendamento|marcacao|consultas|sessao|hora|canal|tratamento",
    ),
    (
        i(BookingRequest),
        1.0,
        "passar|ir|consultar *3 dentista|medico|medica|doutor|doutora|ortodontista|especialista",
    ),
    (
        i(BookingRequest),
        1.0,
        "pode|podem|poderia|poderiam|consegue|conseguem|conseguiria|pra *2 me atender|encaixar|receber|ver",
    ),
    (i(BookingRequest), 1.0, "proximo|proxima|primeiro|primeira *2 horario|vaga|data|disponivel|livre"),
    (
        i(BookingRequest),
        1.0,
        "horario|horarios|vaga|vagas|hora|data disponivel|disponiveis|livre|livres|vago|vagos",
    ),
    (
        i(BookingRequest),
        1.0,
        "make|get|set|need|want|like|request|book|arrange|requesting|wanting *3 appointment|appointments|consultation|cleaning|checkup|visit|exam|slot|booking|consult|check|filling|crown|extraction|whitening|implant|braces|xray",
    ),
    (i(BookingRequest), 1.0, "see|visit *2 doctor|dentist|someone|hygienist|doc|specialist|doutor"),
    (i(BookingRequest), 1.0, "you see|fit|squeeze|take|book me"),
    (i(BookingRequest), 1.0, "come|get|fit|squeeze|pop in|me"),
    (
        i(BookingRequest),
        1.0,
        "any|next|first|earliest *2 openings|opening|availability|slot|slots|appointment|appointments|available",
    ),
    (
        i(BookingRequest),
        1.0,
        "do|does|did you|they have|got *3 openings|opening|slots|slot|availability|available|appointment|appointments|space|room|anything|something|time|spot|spots",
    ),
    (
        i(BookingRequest),
        1.0,
        "is|are there *2 slot|slots|opening|openings|availability|appointment|appointments|space|spot|spots|anything|something|room",
    ),
    (i(BookingRequest), 1.0, "availability|openings|slot|slots"),
    (
        BookingWeak,
        0.5,
        "consulta|consultas|horario|horarios|vaga|vagas|agenda|agendamento|agendamentos|marcacao|disponivel|disponibilidade|livre|retorno|avaliacao|limpeza|appointment|appointments|consultation|available|visit|checkup|booking|opening|bookings",
    ),
    // ---- reschedule ----------------------------------------------------------------------
    (
        i(Reschedule),
        1.0,
        "remarcar|reagendar|remarca|reagenda|remarcacao|reagendamento|remarco|remarque|reagende|remarcando|reagendando|remarcaria|reagendaria|remarquem|reagendem|remarcamos|reagendamos",
    ),
    (
        i(Reschedule),
        1.0,
        "adiar|adiantar|antecipar|postergar|adia|adianta|antecipa|adiasse|antecipasse|adiantasse",
    ),
    (
        i(Reschedule),
        1.0,
        "mudar|muda|mude|trocar|troca|troque|alterar|altera|altere|mudanca|transferir|transfere|passar|passa|jogar|joga|modificar *3 horario|data|dia|consulta|agendamento|hora|marcacao|compromisso|atendimento",
    ),
    (
        i(Reschedule),
        1.0,
        "mudar|muda|mude|trocar|troca|troque|alterar|altera|passar|passa|jogar|joga|transferir pra|para|pro",
    ),
    (OtherMoment, 1.0, "outro|outra dia|horario|data"),
    (i(Reschedule), 1.0, "em vez|lugar de|do|da|dos|das"),
    (i(Reschedule), 1.0, "ao inves"),
    (i(Reschedule), 1.0, "reschedule|rescheduling|rescheduled|rebook|rebooking|postpone|postponed|instead"),
    (
        i(Reschedule),
        1.0,
        "move|moving|change|changing|shift|push|switch|swap *3 appointment|time|date|day|booking|it|visit|cleaning|slot|appt|forward|back",
    ),
    (i(Reschedule), 1.0, "bring *3 forward|earlier"),
    (i(Reschedule), 1.0, "make it later|earlier"),
    (i(Reschedule), 1.0, "move|change|shift|push|switch|swap my"),
    (OtherMoment, 1.0, "different|another|other|later|earlier day|time|date|slot"),
    // ---- cancel --------------------------------------------------------------------------
    (
        i(Cancel),
        1.0,
        "cancelar|cancela|cancelo|cancele|cancelem|cancelamento|cancelaria|cancelando|cancelasse|desmarcar|desmarca|desmarque|desmarco|desmarquem|desmarcando|desistir|desisti|desisto|desmarcaria",
    ),
    (i(Cancel), 1.0, "cancel|cancels|canceled|cancelled|canceling|cancelling|cancellation"),
    (
        i(Cancel),
        1.0,
        "nao vou|irei|poderei|posso|consigo|conseguirei|conseguiria|poderia|da|vai *2 ir|comparecer|estar|aparecer",
    ),
    (i(Cancel), 1.0, "nao vou mais"),
    (i(Cancel), 1.0, "^nao vou$"),
    (i(Cancel), 1.0, "nao vai|vou dar|rolar|conseguir|poder"),
    (
        i(Cancel),
        1.0,
        "nao preciso|precisarei|precisa|quero *2 mais *2 consulta|horario|agendamento|atendimento",
    ),
    (i(Cancel), 1.0, "not *3 make it"),
    (i(Cancel), 1.0, "not *3 come|attend|attending|coming|there|show"),
    (i(Cancel), 1.0, "unable to *2 make|come|attend|go"),
    (i(Cancel), 1.0, "no longer *2 need|want|come|coming|able"),
    (i(Cancel), 1.0, "call off"),
    (i(Cancel), 1.0, "call it off"),
    // ---- negated requests are declines -------------------------------------------------
    (
        i(Decline),
        1.0,
        "nao quero|preciso|precisa|vou|vamos|quer|queria *1 marcar|agendar|remarcar|cancelar|desmarcar|reagendar|consulta|horario",
    ),
    (i(Decline), 1.0, "not want|need|wanna *2 book|cancel|reschedule|schedule|appointment|move|change"),
    // ---- confirm -------------------------------------------------------------------------
    (
        i(Confirm),
        1.0,
        "sim|confirmo|confirmado|confirmada|confirmar|confirma|confirmamos|confirmadissimo|ok|beleza|combinado|combinadissimo|fechado|fechou|certo|certinho|perfeito|perfeita|otimo|otima|claro|positivo|uhum|aham|bora|tranquilo|tranquila|joia|excelente|maravilha|confirmando",
    ),
    (
        i(Confirm),
        1.0,
        "^isso|show|top|legal|serve|presente|massa|pode|certeza|fine|cool|great|good|right|done|agreed$",
    ),
    (i(Confirm), 1.0, "pode ser|sim|deixar|confirmar"),
    (
        i(Confirm),
        1.0,
        "ta|esta|fica|ficou bom|otimo|certo|confirmado|confirmada|combinado|perfeito|bem|beleza|marcado",
    ),
    (i(Confirm), 1.0, "tudo combinado|ok|confirmado"),
    (i(Confirm), 1.0, "com certeza"),
    (i(Confirm), 1.0, "estarei|estaremos la|ai|presente"),
    (i(Confirm), 1.0, "vou|vamos estar la|ai|presente?"),
    (i(Confirm), 1.0, "vou|irei|iremos|vamos sim"),
    (i(Confirm), 1.0, "isso mesmo|ai|isso"),
    (i(Confirm), 1.0, "de acordo"),
    (i(Confirm), 1.0, "sem problema|problemas"),
    (i(Confirm), 1.0, "esse|essa|nesse|nessa|este|neste mesmo|horario|dia|data|ai"),
    (
        i(Confirm),
        1.0,
        "yes|yeah|yep|yup|ya|yea|sure|confirm|confirmed|confirming|perfect|absolutely|definitely|alright|deal|awesome|excellent|correct|yess",
    ),
    (i(Confirm), 1.0, "sounds good|great|perfect|fine"),
    (i(Confirm), 1.0, "works for me|you|us"),
    (i(Confirm), 1.0, "that works"),
    (i(Confirm), 1.0, "that is|sounds fine|good|great|perfect"),
    (i(Confirm), 1.0, "see you|ya then|tomorrow|there|soon?"),
    (i(Confirm), 1.0, "will|ill be there"),
    (i(Confirm), 1.0, "count me in"),
    (i(Confirm), 1.0, "no problem|worries"),
    (i(Confirm), 1.0, "all right|good|set"),
    (i(Confirm), 1.0, "of course"),
    (i(Confirm), 1.0, "i confirm"),
    (i(Confirm), 1.0, "yes please"),
    // ---- decline -------------------------------------------------------------------------
    (i(Decline), 1.0, "nao|negativo|nops"),
    (i(Decline), 1.0, "nao obrigado|obrigada|valeu|quero|precisa|preciso"),
    (i(Decline), 1.0, "nao tenho interesse"),
    (i(Decline), 1.0, "agora|hoje|momento|ainda nao"),
    (i(Decline), 1.0, "sem interesse"),
    (i(Decline), 1.0, "nao me interessa"),
    (i(Decline), 1.0, "deixa pra|para la"),
    (i(Decline), 1.0, "deixa quieto"),
    (i(Decline), 1.0, "deixa|fica pra|para depois"),
    (i(Decline), 1.0, "dispenso|dispensa|desnecessario"),
    (i(Decline), 1.0, "melhor|acho|creio que? nao"),
    (i(Decline), 1.0, "fica|deixa pra|para proxima|depois|outra"),
    (i(Decline), 1.0, "talvez depois"),
    (i(Decline), 1.0, "talvez outro|outra dia|hora|vez"),
    (i(Decline), 1.0, "talvez mais tarde"),
    (i(Decline), 0.8, "nenhum|nenhuma"),
    (i(Decline), 1.0, "de jeito nenhum"),
    (i(Decline), 1.0, "^no|nope|nah|nay"),
    (i(Decline), 1.0, "nope|nah"),
    (i(Decline), 1.0, "no thanks|thank|need|way"),
    (i(Decline), 1.0, "not interested|now|today|really|necessary|needed"),
    (i(Decline), 1.0, "not right now"),
    (i(Decline), 1.0, "not at this time|moment|point"),
    (i(Decline), 1.0, "nem precisa|precisava|quero"),
    (i(Decline), 1.0, "maybe later|not|another"),
    (i(Decline), 1.0, "i will pass"),
    (i(Decline), 1.0, "ill pass"),
    (i(Decline), 1.0, "^pass$"),
    (i(Decline), 1.0, "not for me"),
    (i(Decline), 1.0, "never mind"),
    (i(Decline), 1.0, "nevermind"),
    (i(Decline), 1.0, "i am good|fine|ok"),
    (i(Decline), 0.8, "none|neither"),
    (i(Decline), 1.0, "do not want|need"),
    // ---- neutral and hedges -------------------------------------------------------------
    (Neutral, 0.0, "tem|teria|teriam como"),
    (Neutral, 0.0, "da|dava|daria pra|para"),
    (Defer, 1.0, "vou|vamos|irei ver|verificar|checar|pensar|conversar|consultar|falar|perguntar"),
    (Defer, 1.0, "deixa|deixe eu ver|pensar|verificar|checar|consultar|olhar|conferir"),
    (Neutral, 1.0, "minha|nossa agenda"),
    (Defer, 1.0, "let me check|think|see|ask|talk"),
    (Defer, 1.0, "lemme check|think|see|ask"),
    (Defer, 1.0, "will|ill check|think|ask|talk"),
    (Defer, 1.0, "get back to you"),
    // ---- question ------------------------------------------------------------------------
    (QuestionCue, 1.0, "qual|quais|quanto|quanta|quantos|quantas|quando|onde|cade|como|quem"),
    (QuestionCue, 1.0, "por que"),
    (QuestionCue, 1.0, "que horas|hora"),
    (QuestionCue, 1.0, "o que"),
    (QuestionCue, 1.0, "sera que"),
    (
        QuestionCue,
        1.5,
        "quero|queria|gostaria|gostava|preciso|precisava saber|perguntar|informacao|informacoes|tirar",
    ),
    (QuestionCue, 1.5, "gostaria|queria|quero de saber"),
    (QuestionCue, 1.0, "pode|poderia|podem|poderiam me informar|dizer|falar|explicar"),
    (QuestionCue, 1.0, "duvida|pergunta|informacao|informacoes|info"),
    (
        QuestionCue,
        0.6,
        "endereco|localizacao|localizado|localizada|estacionamento|convenio|convenios|plano|planos|preco|precos|valor|valores|custa|custam|custo|pagamento|pagamentos|parcela|parcelam|parcelar|parcelado|parcelas|pix|cartao|cartoes|dinheiro|boleto|funcionamento|abre|abrem|fecha|fecham|funciona|funcionam|atende|atendem|aceita|aceitam|jejum|documento|documentos|resultado|resultados|laudo|receita|demora|dura|duracao|telefone|wifi|particular|unimed|amil|bradesco|sulamerica|hapvida|desconto|reembolso|acessibilidade|cadeirante|levar|trazer|fazem|oferecem|trabalham|ficam|fica|situada|situado|mapa|referencia|fixo|email|site|instagram",
    ),
    (QuestionCue, 1.5, "horario de funcionamento|atendimento"),
    (
        QuestionCue,
        0.8,
        "voces|voce|clinica tem|aceitam|aceita|fazem|faz|atendem|atende|trabalham|trabalha|cobram|cobra|parcelam|parcela|possuem|oferecem|abrem|funcionam|ficam",
    ),
    (QuestionCue, 1.0, "what|where|when|why|which|who|how"),
    (QuestionCue, 1.0, "how much|long|many|far|do|does"),
    (QuestionCue, 1.0, "what time|is|are"),
    (QuestionCue, 1.0, "is|are there"),
    (QuestionCue, 1.0, "^is|are|does|did|will|should"),
    (
        QuestionCue,
        1.0,
        "do|does|did|can|could|will|would you|they|i|we tell|take|accept|offer|treat|do|work|open|close|charge|know|pay|park",
    ),
    (
        QuestionCue,
        0.6,
        "address|located|location|parking|insurance|accept|price|prices|pricing|cost|costs|pay|payment|card|cards|cash|open|opening|close|closed|closing|hours|bring|fasting|results|result|phone|wheelchair|accessible|kids|children|wondering|question|questions|information|fee|fees|charge|covered|coverage|discount|directions|website|email|insurance",
    ),
    (QuestionCue, 1.5, "opening hours|times"),
    (QuestionCue, 1.0, "your schedule|hours"),
    (QuestionCue, 1.5, "i would? like|want|wanted to know|ask"),
    // ---- opt-out -------------------------------------------------------------------------
    (i(OptOut), 1.0, "nao quero|queremos|desejo *2 receber"),
    (
        i(OptOut),
        1.0,
        "nao quero|preciso|queremos mais *1 mensagem|mensagens|lembretes|lembrete|notificacoes|avisos",
    ),
    (
        i(OptOut),
        1.0,
        "parar|pare|para|parem|paro|parar de *3 receber|mandar|enviar|mandarem|enviarem|mensagem|mensagens|ligar|notificacoes|lembretes",
    ),
    (i(OptOut), 1.0, "nao me mande|mandem|envie|enviem|manda|mandar|envia|enviar|liguem|ligue"),
    (i(OptOut), 1.0, "nao mande|mandem|envie|enviem|manda|envia *2 mensagem|mensagens|mais|nada"),
    (
        i(OptOut),
        1.0,
        "me tira|tire|tirem|tirar|remova|removam|remove|remover|exclua|excluam|exclui|excluir|apaga|apague|apaguem *3 lista|cadastro|contatos|numero|base|grupo",
    ),
    (
        i(OptOut),
        1.0,
        "tirar|tira|tire|tirem|remover|remova|removam|excluir|exclua|excluam|apagar|apague|apaguem|retirar|retire|retirem|deletar|delete|deletem *2 numero|contato|cadastro|telefone|dados",
    ),
    (
        i(OptOut),
        1.0,
        "descadastrar|descadastra|descadastre|descadastro|descadastrem|desinscrever|descadastramento",
    ),
    (i(OptOut), 1.0, "sair da|dessa|desta|do lista|grupo|cadastro"),
    (
        i(OptOut),
        1.0,
        "cancelar|cancela|cancele|cancelem|cancelo|cancelamento *2 mensagens|mensagem|notificacoes|lembretes|inscricao|assinatura|envio|envios|lista|alertas|cadastro",
    ),
    (i(OptOut), 1.0, "chega de *2 mensagem|mensagens|mandar|lembrete|lembretes"),
    (i(OptOut), 1.0, "spam|bloquear|bloquearei|bloqueio|denunciar"),
    (i(OptOut), 1.0, "unsubscribe|unsub|optout|unsubscribed"),
    (i(OptOut), 1.0, "opt out"),
    (
        i(OptOut),
        1.0,
        "stop|quit *2 messaging|texting|sending|contacting|calling|emailing|messages|texts|reminders|message|text|spamming",
    ),
    (i(OptOut), 1.0, "do not|never text|message|contact|send|call|email *1 me|anymore|again"),
    (i(OptOut), 1.0, "remove|delete *1 me|my"),
    (i(OptOut), 1.0, "take me off"),
    (i(OptOut), 1.0, "no more messages|texts|reminders|notifications|message"),
    (i(OptOut), 1.0, "leave me alone"),
    // Added while tuning on data/nlu/dev.tsv: general phrasings the corpus showed missing.
    (
        i(OptOut),
        1.0,
        "desativa|desativar|desative|desligar|desliga|desligue *2 notificacoes|notificacao|lembretes|lembrete|mensagens|avisos",
    ),
    (i(Cancel), 1.0, "tira|tirar|tire|libera|liberar|libere *1 meu|minha|o|a horario|consulta|agendamento"),
    (i(Reschedule), 1.0, "empurrar|empurra|empurre pra|para|pro"),
    (i(Decline), 1.0, "decided|decide not to book|come|go|schedule"),
    (i(Decline), 1.0, "we will pass"),
    (Defer, 1.0, "vou|irei confirmar com"),
    (Defer, 1.0, "pode ser que"),
    // "não entendi" is no "não": it asks for nothing.
    (Neutral, 1.0, "nao entendi"),
    // Added from cross-validation over train + dev (session 12): phrasings of a kind, not
    // single messages.
    // Thanks for information is no question and no yes.
    (
        Neutral,
        1.0,
        "obrigado|obrigada|valeu|thanks|thank you? pela|pelas|pelo|for the? informacao|informacoes|info|information|retorno|ajuda|help|explicacao|resposta",
    ),
    // Wanting a kind of specialist is asking for an appointment.
    (
        i(BookingRequest),
        1.0,
        "quero|queria|gostaria|preciso|precisava|precisaria|procuro|procurando|passar|consultar|ver|marcar|agendar *3 especialista|cardiologista|cardio|dermatologista|dermato|pediatra|ginecologista|gineco|oftalmologista|oftalmo|ortopedista|ortopedia|fisioterapeuta|fisio|fisioterapia|psicologo|psicologa|psicologia|psiquiatra|nutricionista|nutri|otorrino|endocrinologista|endocrino|urologista|neurologista|neuro|clinico|nutrologo|terapia|terapeuta",
    ),
    (
        i(BookingRequest),
        1.0,
        "see|visit|need|want|with|book|find *3 specialist|cardiologist|dermatologist|pediatrician|gynecologist|gyno|ophthalmologist|optometrist|orthopedist|physiotherapist|physio|physical|psychologist|therapist|psychiatrist|nutritionist|dietitian|ent|urologist|neurologist|gp|pediatric|cardiology|dermatology|physiotherapy|therapy",
    ),
    (i(BookingRequest), 1.0, "eye|heart|skin|foot|bone doctor|specialist"),
    (i(BookingRequest), 1.0, "set|sign|fit me up|in"),
    (i(BookingRequest), 1.0, "can|could i see|visit"),
    // Handing over to a person, said as "pass me to", "can someone call me".
    (
        i(HumanRequest),
        1.0,
        "passa|passe|passar|transfere|transfira|transferir|encaminha|encaminhe|encaminhar|coloca|coloque pra|para|pro|com *1 alguem|recepcao|atendente|pessoa|humano|secretaria|responsavel|gente|equipe|funcionario",
    ),
    (
        i(HumanRequest),
        1.0,
        "pessoa|alguem|funcionario|atendente|secretaria|recepcao|equipe pode|podem|poderia|consegue|conseguem me atender|ligar|responder|ajudar|chamar|retornar",
    ),
    (i(HumanRequest), 1.0, "carne e osso"),
    (i(HumanRequest), 1.0, "front desk|office"),
    (i(HumanRequest), 1.0, "staff member|members"),
    (i(HumanRequest), 1.0, "get|have|receive a phone? call"),
    (i(HumanRequest), 1.0, "someone|somebody|person|staff from|at the clinic|office|reception|team"),
    (i(HumanRequest), 1.0, "contact|call me back"),
    // Stopping messages, said in more ways.
    (
        i(OptOut),
        1.0,
        "remove|remova|tira|tire|apaga|apague|exclui|exclua|retira|retire|deleta|delete meu|minha|o|a|esse|este|this|the|my numero|contato|telefone|cadastro|celular|whatsapp|zap|number|contact|phone",
    ),
    (
        i(OptOut),
        1.0,
        "sair|sai|saia|tira|tire|remove da|de|do minha|sua|essa|dessa|desta? lista|grupo|cadastro|base",
    ),
    (
        i(OptOut),
        1.0,
        "nao me contatem|contate|contatar|contactem|procurem|procure|incomodem|incomode|perturbem|perturbe|chamem|chame",
    ),
    (i(OptOut), 1.0, "propaganda|propagandas|publicidade|marketing|promocao|promocoes|ofertas|newsletter"),
    (i(OptOut), 1.0, "interesse em receber"),
    (i(OptOut), 1.0, "turn|switch off *2 reminders|reminder|messages|notifications|texts|alerts|whatsapp"),
    (
        i(OptOut),
        1.0,
        "disable|mute|silence|pause *2 reminders|reminder|messages|notifications|texts|alerts|whatsapp",
    ),
    (i(OptOut), 1.0, "never signed|subscribed|asked up|for"),
    (i(OptOut), 1.0, "take my number|info|details|contact off|out"),
    (i(OptOut), 1.0, "any more|further texts|messages|reminders|notifications|calls|emails|promotions"),
    (i(OptOut), 1.0, "do not want|need *2 texts|messages|reminders|notifications|promotions|calls"),
    // Greetings with small talk ("e aí, beleza?", "how's your day?") are no questions.
    (i(Greeting), 1.0, "fala|salve|oi|ola|ai beleza|blz|suave|tranquilo|firmeza"),
    (i(Greeting), 1.0, "e ai|ae beleza|blz|suave|tranquilo|firmeza|certo|certinho"),
    (i(Greeting), 1.0, "^fala pessoal|galera|gente|ai|ae$"),
    (i(Greeting), 1.0, "tudo certinho|tranquilo|em paz|na paz|joia"),
    (i(Greeting), 1.0, "how is|was your day|morning|week|weekend"),
    (i(Greeting), 1.0, "^morning|evening|afternoon|mornin$"),
    (i(Greeting), 1.0, "^good morning|afternoon|evening$"),
    // Declines in more words.
    (i(Decline), 1.0, "desisti|desisto|desistimos de marcar|agendar|consulta|ir"),
    (i(Decline), 1.0, "prefiro|preferimos nao marcar|agendar|ir|fazer"),
    (i(Decline), 1.0, "quem sabe mais pra|para frente"),
    (i(Decline), 1.0, "mais pra|para frente"),
    (i(Decline), 1.0, "will not book|schedule|come"),
    (i(Decline), 1.0, "wont book|schedule|come"),
    (i(Decline), 1.0, "changed my mind"),
    (i(Decline), 1.0, "rather not"),
    (i(Decline), 1.0, "not this time|year|month"),
    (i(Decline), 1.0, "skip it|this|that"),
    (i(Decline), 1.0, "i am all set|good|fine|ok"),
    (i(Decline), 1.0, "are|were all set|good|fine|ok"),
    (i(Decline), 1.0, "deixar|deixo|deixa pra|para depois|proxima|outra"),
    (i(Decline), 1.0, "vou|vamos deixar$"),
    (i(Decline), 1.0, "muito|ta|esta|meio caro"),
    (i(Decline), 1.0, "caro demais"),
    // Yes in more words.
    (i(Confirm), 1.0, "will|ill take it|that|this"),
    (i(Confirm), 1.0, "esse|essa|este|esta|isso serve|funciona"),
    (i(Confirm), 1.0, "esse|essa|este|esta|isso da certo"),
    (i(Confirm), 1.0, "book it"),
    (
        i(Confirm),
        1.0,
        "fico|ficamos|ficar com *1 esse|essa|este|esta|primeiro|primeira|segundo|segunda|ultimo|ultima",
    ),
    (i(Confirm), 1.0, "works great|perfectly|fine|well"),
    (i(Confirm), 1.0, "great|perfect|awesome|excellent|wonderful thank|thanks"),
    // Questions asked as requests: "me manda o endereço".
    (
        QuestionCue,
        1.5,
        "manda|mande|mandem|envia|envie|enviem|passa|passe|informa|informe|informem|diz|diga|digam|fala|fale|mostra|mostre *2 endereco|localizacao|convenios|convenio|valores|valor|precos|preco|tabela|link|pix|site|mapa|telefone",
    ),
    (QuestionCue, 1.5, "ordem de chegada"),
    (QuestionCue, 1.5, "posso|pode|podemos pagar|parcelar|dividir"),
    (QuestionCue, 1.5, "da pra|para pagar|parcelar|dividir"),
    // Moving an appointment said loosely.
    (i(Reschedule), 1.0, "mudar|muda|mude|alterar|altera|transferir|transfere|jogar|joga *3 pra|para|pro"),
    (i(Reschedule), 1.0, "can|could we|i change|move|switch|shift|swap"),
    (i(Reschedule), 1.0, "possible to move|change|shift|switch"),
    (i(Cancel), 1.0, "canc"),
    (i(BookingRequest), 1.0, "can|could|may i|we come|stop|drop|pop|swing|walk"),
    // Questions without a question mark: "do you speak spanish", "tem desconto".
    (QuestionCue, 1.0, "^do|can|could you|i|we|they"),
    (QuestionCue, 1.0, "^tem|faz|fazem|aceita|aceitam|cobra|cobram|parcela|parcelam"),
    (
        QuestionCue,
        1.5,
        "fee|fees|charge|multa|taxa|penalty|cobra|cobram to|for|pra|para|de|if|se|por? cancel|cancelar|cancelling|canceling|cancellation|cancelamento|remarcar|reschedule|faltar|falta",
    ),
    // "falo com a clínica?", "is this the clinic?": checking who answers, a hello.
    (i(Greeting), 1.0, "falo|estou|to com a|o clinica|consultorio|recepcao"),
    (i(Greeting), 1.0, "e|aqui da|do|e a|o clinica|consultorio$"),
    (i(Greeting), 1.0, "is this|that the clinic|office|practice"),
    // "aqui quem fala é o Roberto", "this is Sarah": introducing oneself.
    (Neutral, 1.0, "aqui quem fala|escreve"),
    (Neutral, 1.0, "quem fala|escreve e|aqui"),
    (Neutral, 1.0, "aqui e|eh o|a"),
    (Neutral, 1.0, "this is|it is me|here"),
    (i(Greeting), 1.0, "bon|bao dia"),
    (i(Greeting), 1.0, "eai|eae|iai beleza|blz|suave|tranquilo|firmeza"),
    (i(Greeting), 1.0, "e ae|iae"),
    (i(Greeting), 1.0, "good|gd mornin|morning|afternoon|evening|night"),
    (Neutral, 1.0, "espero que sim|esteja|estejam|estejas"),
    (Neutral, 1.0, "hope you are|you re|youre doing? well|good|fine|ok"),
    // "stop" said around other words: the carrier keyword still means stop.
    (i(OptOut), 1.0, "stop$"),
    (i(OptOut), 1.0, "^stop it|now|please|mensagem|mensagens|this|that|all|everything"),
    (i(OptOut), 1.0, "said stop"),
    (i(OptOut), 1.0, "^cease"),
    (i(OptOut), 1.0, "^no more$"),
    (i(OptOut), 1.0, "please no more"),
    (i(OptOut), 1.0, "nao autorizo|autorizei$"),
    (i(OptOut), 1.0, "keep|keeps texting|messaging|calling|sending|spamming|writing"),
    (i(BookingRequest), 1.0, "levar|trazer ele|ela? ai|la"),
    (
        i(BookingRequest),
        1.0,
        "quero|queria|preciso|precisava|fazer|marcar|agendar|need|want|get|book|do *3 check up|checkup",
    ),
    (i(BookingRequest), 1.5, "how do|can|could i|we book|schedule|make|get"),
    (
        i(BookingRequest),
        1.0,
        "need|want|looking for *2 doctor|dentist|physician|nurse|specialist|gp|pediatrician",
    ),
    (
        i(BookingRequest),
        1.0,
        "get|have my|his|her|our eyes|teeth|skin|blood|heart|knee|back|ears|eye|tooth checked|examined|looked|cleaned|tested|seen",
    ),
    (
        i(BookingRequest),
        1.0,
        "get|need|want|book|schedule|do *2 physical|flu|vaccine|vaccination|screening|mammogram|ultrasound|xray|pap|bloodwork|scan",
    ),
    (i(Confirm), 1.0, "^feito$"),
    (i(Confirm), 1.0, "fine|ok|okay|good by|with me|us"),
    (i(Confirm), 1.0, "show de bola"),
    (i(Decline), 1.0, "sem condicoes|condicao|grana|dinheiro"),
    (i(Decline), 1.0, "fora do meu? orcamento"),
    (i(Decline), 1.0, "not ready"),
    (i(Decline), 1.0, "do not think so"),
    (i(Decline), 0.8, "no$"),
    (i(Decline), 1.0, "can not|cannot afford"),
    (i(Decline), 1.0, "too far"),
    (i(Decline), 1.0, "muito longe"),
    (i(Decline), 1.0, "ja estou|to|esta|ta|estamos bem|melhor"),
    (i(Decline), 1.0, "talvez|quem sabe ano|mes que vem"),
    (
        i(OptOut),
        1.0,
        "nao quero|queremos|desejo mais? ser contatado|contatada|contactado|contactada|incomodado|incomodada|perturbado|perturbada",
    ),
    (i(OptOut), 1.0, "nao quero|queremos|desejo mais? contato"),
    (i(OptOut), 1.0, "me esquece|esquecam|esqueca"),
    (i(OptOut), 1.0, "nao quero que voces? me liguem|ligue|mandem|enviem|chamem|contatem|procurem|escrevam"),
    (i(OptOut), 1.0, "^quero|queria sair$"),
    (i(OptOut), 1.0, "want|get out of this|the|your list|group"),
    (i(OptOut), 1.0, "do not|never contact|message|text|call$"),
    (i(OptOut), 1.0, "cancel|end|stop my? subscription"),
    (i(OptOut), 1.0, "leave me out"),
    (i(OptOut), 1.0, "lose|forget|delete my number"),
    (i(OptOut), 1.0, "enough with|of the? texts|messages|reminders|spam"),
    (i(OptOut), 1.0, "me remove|remova|removam|tira|tirem|exclui|exclua|excluam$"),
    // "de terça pra quarta", "from monday to friday": moving from one moment to another.
    (
        i(Reschedule),
        1.0,
        "de|da|do segunda|terca|quarta|quinta|sexta|sabado|domingo|hoje|amanha|manha|tarde|noite pra|para|pro a|o? segunda|terca|quarta|quinta|sexta|sabado|domingo|hoje|amanha|manha|tarde|noite",
    ),
    (
        i(Reschedule),
        1.0,
        "from monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|morning|afternoon|evening to monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|morning|afternoon|evening",
    ),
    (OtherMoment, 1.0, "ser|fazer outro|outra$"),
    // "não vou conseguir, tem outro horário?": another moment, not a first booking.
    (OtherMoment, 1.5, "tem|teria|ha outro|outra dia|horario|data|vaga"),
    (i(Reschedule), 1.0, "trocar|mudar|alterar|mudamos|trocamos$"),
    (i(BookingRequest), 1.0, "tem|teria|fica|esta disponivel|livre|vaga$"),
    (i(BookingRequest), 1.0, "have|has open|free|available|openings"),
    (
        i(BookingRequest),
        1.5,
        "what do|does you|they|she|he have on|for|this|next|tomorrow|today|in|at|after|before",
    ),
    (i(BookingRequest), 1.0, "earliest|soonest you|i|we can|could"),
    (
        i(Decline),
        1.0,
        "achei|encontrei|arrumei|consegui uma|um clinica|medico|medica|dentista|consultorio|lugar|profissional|pediatra|especialista",
    ),
    (
        i(Decline),
        1.0,
        "com outro|outra medico|medica|pediatra|dentista|profissional|clinica|especialista|doutor|doutora|psicologa|psicologo|nutricionista|fisioterapeuta|cardiologista|dermatologista|ginecologista",
    ),
    (
        i(Decline),
        1.0,
        "go|going|stay|staying|stick|sticking with another|a|different|other|my *2 dentist|doctor|clinic|provider|practice|specialist|office",
    ),
    (i(HumanRequest), 1.0, "ring|phone me|us"),
    (QuestionCue, 1.5, "have|got a question|questions|doubt"),
    (QuestionCue, 1.5, "wondering if|whether|about|how|what|when"),
    (QuestionCue, 1.5, "wanted|want|wanna|like|need to ask|know"),
    // Asking what is free is asking for a slot: "what times do you have on monday?",
    // "quais horários tem na segunda?", "is the doctor available next tuesday?".
    (
        i(BookingRequest),
        1.5,
        "what|which times|slots|days|openings|spots|appointments do|does you|they|she|he have",
    ),
    (i(BookingRequest), 1.5, "quais|que horarios|dias|vagas|horas tem|teria|teriam|estao|sobraram"),
    (i(BookingRequest), 1.5, "quais|que horarios|dias|vagas voces|voce|a|o tem|teria|teriam"),
    (
        i(BookingRequest),
        1.0,
        "have|has any? time|room|space|availability|openings|opening|slots on|this|next|tomorrow|today|in|for|at|after|before",
    ),
    (
        i(BookingRequest),
        1.0,
        "available|free on|this|next|tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|after|before|in|at|for",
    ),
    (
        i(BookingRequest),
        1.0,
        "disponivel|livre|disponiveis|livres na|no|dia|hoje|amanha|essa|esta|nessa|nesta|semana|segunda|terca|quarta|quinta|sexta|sabado|depois|antes|de|a|pra|para",
    ),
    // Declines: the patient went or goes elsewhere, or already has a doctor.
    (
        i(Decline),
        1.0,
        "found|got|booked|have|went|going|seeing|chose|picked|using|switched *3 another|other|different|new clinic|doctor|dentist|place|practice|office|provider|specialist|physician",
    ),
    (i(Decline), 1.0, "found|booked|went|going|chose|switched|seeing|go|went *3 elsewhere"),
    (i(Decline), 1.0, "somewhere else"),
    (
        i(Decline),
        1.0,
        "already have|got|found|booked *2 doctor|dentist|clinic|someone|somebody|one|appointment|elsewhere",
    ),
    (
        i(Decline),
        1.0,
        "achei|encontrei|consegui|marquei|agendei|fui|fiz|vou|estou|to|tratando|consultando|resolvi *3 outro|outra|outros|outras lugar|clinica|medico|medica|profissional|consultorio|dentista|doutor|doutora|local",
    ),
    (
        i(Decline),
        1.0,
        "ja tenho|temos|faco|fazemos|estou *3 medico|medica|dentista|doutor|doutora|clinica|profissional|tratamento|acompanhamento|especialista|cardiologista|dermatologista|pediatra|ginecologista|psicologo|psicologa|nutricionista",
    ),
    (i(HumanRequest), 1.0, "tem|ha gente ai|la|online|ae|atendendo"),
    (i(Reschedule), 1.0, "move|moved|switch|shift me|us|it to|for"),
    (i(Confirm), 1.0, "vou|irei|vamos|iremos comparecer"),
    (i(Confirm), 1.0, "to|estou|tamo|estamos indo"),
    (Defer, 1.0, "will|ill let you know"),
    // "cancela, depois eu vejo outra data": the other date is for later, not a reschedule.
    (Neutral, 1.0, "depois eu? vejo|marco|remarco|agendo|reagendo outra|outro data|dia|horario"),
    (i(OptOut), 1.0, "cancel|stop|end these|the|all|your notifications|messages|reminders|texts|alerts"),
    (
        i(HumanRequest),
        1.0,
        "chama|chame|chamem alguem|uma|um|a|o pessoa|atendente|recepcao|secretaria|responsavel",
    ),
    (i(HumanRequest), 1.0, "chama|chame|chamem alguem"),
    (i(HumanRequest), 1.0, "put me through|in touch"),
    (i(Decline), 1.0, "not for now"),
    (Neutral, 1.0, "my|the|our schedule|calendar|agenda"),
    (
        i(BookingRequest),
        1.0,
        "consulta|horario|vaga|sessao|atendimento|hora com *2 especialista|cardiologista|dermatologista|pediatra|ginecologista|oftalmologista|ortopedista|fisioterapeuta|psicologo|psicologa|psiquiatra|nutricionista|otorrino|endocrinologista|urologista|neurologista|clinico|dr|dra|doutor|doutora|medico|medica",
    ),
    (
        i(BookingRequest),
        1.0,
        "especialista|cardiologista|dermatologista|pediatra|ginecologista|oftalmologista|ortopedista|fisioterapeuta|psicologo|psicologa|psiquiatra|nutricionista|otorrino|endocrinologista|urologista|neurologista disponivel|livre|pra|para|essa|esse|hoje|amanha",
    ),
    (i(Confirm), 1.0, "^sim|yes|yeah|ok|claro *1 pode? agendar|marcar|agenda|marca|book$"),
    (i(Confirm), 1.0, "book that|this one"),
    (QuestionCue, 1.5, "cancellation|cancelamento|reschedule|remarcacao policy|fee|fees|politica|taxa"),
    (QuestionCue, 1.5, "politica|taxa|regra|regras de cancelamento|remarcacao|falta"),
    (QuestionCue, 1.5, "send|text|email me *2 address|location|directions|price|prices|link|map|menu"),
    (i(OptOut), 1.0, "bloqueando|bloqueei|bloqueia|bloquea"),
    (i(OptOut), 1.0, "opt me out"),
    (i(OptOut), 1.0, "muita|muitas|tanta|tantas mensagem|mensagens"),
    (i(OptOut), 1.0, "parem$"),
    (i(HumanRequest), 1.0, "quero|queria|prefiro|preciso uma|um pessoa|humano|humana"),
    (i(Decline), 1.0, "too expensive|pricey|much"),
    (i(Decline), 1.0, "deixar|deixo|deixa pra|para o? ano|mes que vem"),
    (i(Decline), 1.0, "passar|passo dessa|desta vez"),
    (Defer, 1.0, "need|have to check|ask|talk"),
    (Defer, 1.0, "aguardando|aguardo|esperando retorno|resposta"),
    (
        i(Reschedule),
        1.0,
        "move|moved|switch|shift to the? morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|next",
    ),
    // ---- human ---------------------------------------------------------------------------
    (
        i(HumanRequest),
        1.0,
        "atendente|atendentes|humano|humana|recepcionista|operador|operadora|representative|receptionist|operator|agent|agente|human|rep",
    ),
    (
        i(HumanRequest),
        1.0,
        "falar|conversar|chamar|falo|fale|converso|contato *3 pessoa|alguem|atendente|humano|gente|recepcao|recepcionista|secretaria|responsavel|funcionario|funcionaria|dentista|doutor|doutora|medico|medica|gerente|robo|maquina|bot|clinica|dono|dona",
    ),
    (i(HumanRequest), 1.0, "pessoa|alguem|gente|atendimento *2 de verdade"),
    (i(HumanRequest), 1.0, "pessoa|alguem|gente|atendimento real|humano|humana"),
    (i(HumanRequest), 1.0, "ser humano"),
    (i(HumanRequest), 1.0, "tem|ha alguem ai|la|online|ae|atendendo"),
    (i(HumanRequest), 1.0, "anyone|anybody|someone there|here|around|available"),
    (i(HumanRequest), 1.0, "me liga|ligue|liguem|ligar|ligam|telefona|telefone"),
    (i(HumanRequest), 1.0, "pode|podem|poderia|poderiam *1 me ligar|ligar"),
    (i(HumanRequest), 1.0, "ligar|liga pra|para mim"),
    (i(HumanRequest), 1.0, "ligacao"),
    (i(HumanRequest), 0.8, "robo|bot|robot|maquina|chatbot"),
    (
        i(HumanRequest),
        1.0,
        "talk|speak|chat|connect|transfer|put|talking|speaking *3 someone|somebody|person|human|agent|representative|receptionist|staff|doctor|manager|anyone|dentist|people|reception|nurse|owner|secretary",
    ),
    (i(HumanRequest), 1.0, "real|actual|live *1 person|human|people|agent|someone"),
    (i(HumanRequest), 1.0, "call me"),
    (i(HumanRequest), 1.0, "give me a call"),
    (i(HumanRequest), 1.0, "someone|somebody|anyone *1 call"),
    (i(HumanRequest), 1.0, "someone|somebody|anyone *2 talk|speak"),
    // ---- greeting ------------------------------------------------------------------------
    (
        i(Greeting),
        1.0,
        "oi|oie|oii|ola|opa|salve|eai|alo|hello|hi|hey|hiya|howdy|heya|greetings|yo|hola|hallo|hii|oiee|oioi",
    ),
    (i(Greeting), 1.0, "bom dia|diaa"),
    (i(Greeting), 1.0, "boa tarde|noite"),
    (i(Greeting), 1.0, "boa dia"),
    (i(Greeting), 1.0, "e ai"),
    (i(Greeting), 1.0, "tudo bem|bom|joia|certo|tranquilo|otimo"),
    (i(Greeting), 1.0, "como vai|vao|esta|estao"),
    (i(Greeting), 1.0, "como voce|voces esta|estao|vai|vao"),
    (i(Greeting), 1.0, "good morning|afternoon|evening|day"),
    (i(Greeting), 1.0, "hi|hello|hey there"),
    (i(Greeting), 1.0, "how are you"),
    (i(Greeting), 1.0, "how is it going"),
    (i(Greeting), 1.0, "what is up"),
    (i(Greeting), 1.0, "^sup$"),
];

/// Phrases saying none of the offered slots will do.
pub(crate) const NONE_OF_THESE: &[&str] = &[
    "nenhum|nenhuma",
    "outro|outros|outra|outras horario|horarios|dia|dias|data|datas|opcao|opcoes|semana",
    "none|neither",
    "another|other|different|later|earlier time|times|day|days|date|dates|options|option|slot|slots|week",
    "something else",
];

/// "pode ser sexta?", "how about friday": proposing a different moment.
pub(crate) const PROPOSALS: &[&str] = &[
    "pode|podia|poderia|podemos ser|ficar|fazer|mudar|passar",
    "que tal",
    "how|what about",
    "could|can we do|make",
    "can i come",
    "posso ir",
    "fica pra|para",
    "em vez",
    "ao inves",
    "instead",
    "teria|tem como",
    "da pra",
];

/// "não posso", "can't": not being able to, which with a proposal is a reschedule.
pub(crate) const CANT: &[&str] =
    &["nao posso|consigo|da|poderei|conseguirei", "nao vai dar", "can|could not", "unable"];

/// Signs of urgency.
pub(crate) const URGENT: &[&str] = &[
    "urgente|urgencia|emergencia|emergencial|socorro|urgent|urgently|emergency|asap|sangrando|sangramento|sangra|inchado|inchada|inchaco|bleeding|swollen|swelling|insuportavel|unbearable|excruciating|agonia|urgentemente",
    "dor forte|insuportavel|intensa|terrivel",
    "muita|forte|tanta dor",
    "com dor",
    "doendo|doi|doe muito|demais|bastante",
    "ta|esta doendo",
    "hoje ainda|mesmo",
    "ainda hoje",
    "o quanto antes",
    "o mais rapido|cedo",
    "mais rapido|cedo possivel",
    "assim que possivel",
    "nao aguento",
    "nao estou aguentando",
    "agora mesmo",
    "right away",
    "as soon as possible",
    "it hurts",
    "hurts|hurting",
    "in pain",
    "severe|terrible|awful|unbearable pain",
    "a lot of pain",
    "so much pain",
    "can not wait",
    "today if possible",
    "broken|broke|chipped tooth",
    "quebrou|quebrei|lascou",
    "dente quebrado",
];

/// Words that, alone or with only fillers, are a request to stop all messages.
#[rustfmt::skip]
pub(crate) const STOP_WORDS: &[&str] = &[
    "stop", "parar", "pare", "para", "parem", "sair", "descadastrar", "descadastre", "unsubscribe", "unsub",
    "optout", "remover", "remove", "end", "quit", "chega", "stopall", "cancelar inscricao",
];
/// Words allowed next to a stop word in a stop-only message.
pub(crate) const STOP_FILLERS: &[&str] =
    &["por", "favor", "please", "agora", "now", "ja", "all", "pls", "ok", "obrigado", "obrigada", "thanks"];

// ---- calendar vocabulary (used by the entity extractor) ----------------------------------

/// Weekday words, Monday first. Feminine ordinals double as weekdays in Portuguese.
pub(crate) const WEEKDAYS: &[(&str, i8)] = &[
    ("segunda", 0),
    ("seg", 0),
    ("terca", 1),
    ("ter", 1),
    ("quarta", 2),
    ("qua", 2),
    ("quinta", 3),
    ("qui", 3),
    ("sexta", 4),
    ("sex", 4),
    ("sabado", 5),
    ("sab", 5),
    ("domingo", 6),
    ("dom", 6),
    ("monday", 0),
    ("mon", 0),
    ("tuesday", 1),
    ("tue", 1),
    ("tues", 1),
    ("wednesday", 2),
    ("wed", 2),
    ("thursday", 3),
    ("thu", 3),
    ("thur", 3),
    ("thurs", 3),
    ("friday", 4),
    ("fri", 4),
    ("saturday", 5),
    ("sat", 5),
    ("sunday", 6),
    ("sun", 6),
];

/// Three-letter abbreviations that are also common words; they only count next to a number,
/// a time or a date cue ("sex 10h", "on sat").
pub(crate) const WEAK_WEEKDAYS: &[&str] =
    &["ter", "qua", "qui", "sex", "dom", "sat", "sun", "wed", "seg", "sab", "mon"];

pub(crate) const MONTHS: &[(&str, i8)] = &[
    ("janeiro", 1),
    ("fevereiro", 2),
    ("marco", 3),
    ("abril", 4),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("agosto", 8),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("jan", 1),
    ("fev", 2),
    ("mar", 3),
    ("abr", 4),
    ("mai", 5),
    ("jun", 6),
    ("jul", 7),
    ("ago", 8),
    ("set", 9),
    ("out", 10),
    ("nov", 11),
    ("dez", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("feb", 2),
    ("apr", 4),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("dec", 12),
];

/// Hour words for "às duas", "at two".
pub(crate) const HOUR_WORDS: &[(&str, i8)] = &[
    ("uma", 1),
    ("duas", 2),
    ("dois", 2),
    ("tres", 3),
    ("quatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("sete", 7),
    ("oito", 8),
    ("nove", 9),
    ("dez", 10),
    ("onze", 11),
    ("doze", 12),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

/// Position words for slot choices: (word, 1-based position; 0 means "the last").
pub(crate) const ORDINALS: &[(&str, usize)] = &[
    ("primeiro", 1),
    ("primeira", 1),
    ("first", 1),
    ("1st", 1),
    ("1o", 1),
    ("1a", 1),
    ("segundo", 2),
    ("segunda", 2),
    ("second", 2),
    ("2nd", 2),
    ("2o", 2),
    ("2a", 2),
    ("terceiro", 3),
    ("terceira", 3),
    ("third", 3),
    ("3rd", 3),
    ("3o", 3),
    ("3a", 3),
    ("quarto", 4),
    ("quarta", 4),
    ("fourth", 4),
    ("4th", 4),
    ("4o", 4),
    ("4a", 4),
    ("quinto", 5),
    ("quinta", 5),
    ("fifth", 5),
    ("5th", 5),
    ("5o", 5),
    ("5a", 5),
    ("sexto", 6),
    ("sexta", 6),
    ("sixth", 6),
    ("6th", 6),
    ("6o", 6),
    ("ultimo", 0),
    ("ultima", 0),
    ("last", 0),
];

/// Other vocabulary the extractor reads: it is never "corrected" into a keyword.
#[rustfmt::skip]
const ENTITY_WORDS: &[&str] = &[
    "hoje", "amanha", "depois", "today", "tomorrow", "tonight", "day", "after", "next", "proxima", "proximo",
    "semana", "week", "vem", "feira", "dia", "manha", "tarde", "noite", "morning", "afternoon", "evening",
    "night", "meio", "meia", "noon", "midday", "midnight", "oclock", "horas", "hora", "h", "hs", "am", "pm",
    "das", "pelas", "umas", "as", "at", "around", "by", "before", "apos", "ate", "from", "until", "till",
    "this", "esta", "essa", "nesta", "nessa", "on", "the", "of", "de", "do", "da", "work", "trabalho",
    "expediente", "opcao", "opcoes", "option", "options", "numero", "number", "one", "ones", "half", "past",
    "quarter",
];

/// Common words that must not be "corrected" into a keyword nor taken for a name.
#[rustfmt::skip]
const COMMON_PT: &[&str] = &[
    "a", "o", "os", "as", "um", "uma", "uns", "umas", "de", "do", "da", "dos", "das", "em", "no", "na", "nos",
    "nas", "por", "pelo", "pela", "para", "pra", "pro", "com", "sem", "sobre", "entre", "ate", "e", "ou",
    "mas", "que", "se", "porque", "pois", "entao", "tambem", "ja", "ainda", "so", "muito", "muita", "muitos",
    "pouco", "mais", "menos", "bem", "mal", "aqui", "ai", "la", "ali", "eu", "tu", "ele", "ela", "nos",
    "eles", "elas", "voce", "voces", "me", "te", "lhe", "meu", "minha", "meus", "minhas", "seu", "sua",
    "seus", "suas", "nosso", "nossa", "dele", "dela", "isso", "isto", "aquilo", "esse", "essa", "este",
    "esta", "aquele", "aquela", "ser", "sou", "e", "era", "foi", "estar", "estou", "esta", "estava", "ter",
    "tenho", "tem", "tinha", "teve", "ir", "vou", "vai", "vamos", "fui", "fazer", "faco", "faz", "fiz",
    "poder", "posso", "pode", "podia", "querer", "quero", "quer", "queria", "saber", "sei", "ver", "vejo",
    "vi", "dar", "da", "dou", "deu", "dizer", "falar", "falo", "ficar", "fico", "fica", "obrigado",
    "obrigada", "valeu", "favor", "desculpa", "desculpe", "gente", "pessoal", "paciente", "cliente", "nova",
    "novo", "mae", "pai", "filho", "filha", "filhos", "esposa", "marido", "esposo", "namorada", "namorado",
    "irma", "irmao", "avo", "tia", "tio", "amiga", "amigo", "marcado", "marcada", "agendado", "agendada",
    "cancelado", "cancelada", "remarcado", "remarcada", "hora", "horas", "dente", "dentes", "dor", "anos",
    "ano", "mes", "meses", "vez", "vezes", "trabalho", "casa", "rua", "clinica", "consultorio", "doutor",
    "doutora", "dentista", "medico", "medica", "tudo", "nada", "algo", "alguem", "ninguem", "todo", "toda",
    "todos", "cada", "outro", "outra", "mesmo", "mesma", "aguardando", "entendi", "certo", "ok", "sim", "nao",
    "oi", "ola", "bom", "boa", "tarde", "noite", "dia", "manha", "hoje", "amanha", "ontem", "semana", "agora",
    "depois", "antes", "cedo", "logo", "sempre", "nunca", "transito", "chegando", "chegar", "atrasado",
    "atrasada", "atraso", "resposta", "responder", "mensagem", "mensagens", "foto", "anexo", "segue",
    "arquivo", "documento", "pagar", "paguei", "pago", "feito", "feita", "aqui", "onde", "porque", "qual",
    "quando", "como", "quanto", "perto", "longe", "lado", "frente", "primeira", "primeiro", "ultima",
    "ultimo", "vem", "veio", "venho", "vindo", "passei", "passou", "ficou", "tranquilo", "certeza", "grato",
    "grata", "abraco", "abracos", "beijo", "beijos", "bjs", "kk", "rs", "haha", "kkk", "hahaha", "rsrs",
    "sera", "seria", "tava", "to", "ta", "tao", "tanto", "tanta", "assim", "exame", "exames", "sangue",
    "pressao", "febre", "gripe", "gripado", "gripada", "doente", "internado", "hospital", "viagem",
    "viajando", "viajar", "chuva", "carro", "onibus", "uber", "filha", "bebe", "crianca", "criancas",
    "senhor", "senhora", "moca", "moco", "querida", "querido", "pessoa", "pessoas", "coisa", "coisas", "vida",
    "hein", "ne", "ue", "eita", "nossa", "opa", "vish", "affs", "aff", "hum", "hmm", "humm", "ah", "ahh",
    "oh", "eh", "ei", "psiu", "fala", "falei", "disse", "pediu", "pedi", "pedido", "conseguir", "consegui",
    "consigo", "preciso", "precisa", "precisar", "gostaria", "gosto", "acho", "achei", "pensei", "penso",
    "lembrar", "lembrete", "lembra", "esqueci", "sabe", "sabia", "vejo", "responde", "respondo", "respondeu",
    "aguardo", "espero", "esperando", "vou", "iria", "estaria", "marquei", "agendei", "cancelei", "remarquei",
    "desmarquei", "marcou", "agendou", "cancelou", "remarcou", "lugar", "pensar", "verificar", "checar",
];

#[rustfmt::skip]
const COMMON_EN: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "if", "so", "to", "of", "in", "on", "at", "for", "with", "from",
    "by", "about", "as", "into", "up", "down", "out", "off", "over", "i", "you", "he", "she", "it", "we",
    "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "this", "that",
    "these", "those", "is", "am", "are", "was", "were", "be", "been", "being", "have", "has", "had", "do",
    "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "not", "no",
    "yes", "there", "here", "what", "when", "where", "why", "how", "which", "who", "whom", "all", "any",
    "some", "just", "only", "also", "very", "really", "too", "again", "still", "already", "now", "then",
    "soon", "later", "today", "tomorrow", "yesterday", "week", "month", "year", "time", "day", "morning",
    "thanks", "thank", "please", "sorry", "hello", "hi", "hey", "ok", "good", "great", "fine", "well", "sick",
    "ill", "available", "interested", "looking", "calling", "going", "having", "feeling", "trying", "coming",
    "working", "waiting", "running", "late", "busy", "free", "sure", "new", "patient", "mother", "father",
    "mom", "dad", "son", "daughter", "wife", "husband", "kid", "kids", "child", "friend", "here", "back",
    "home", "work", "car", "traffic", "way", "like", "love", "want", "need", "get", "got", "go", "went",
    "come", "came", "see", "saw", "know", "think", "let", "check", "calendar", "file", "sent", "send", "saw",
    "handle", "lol", "brb", "omg", "btw", "hmm", "wrong", "right", "number", "tooth", "teeth", "pain",
    "doctor", "dentist", "clinic", "office", "appointment", "just", "one", "two", "first", "last", "next",
    "something", "anything", "nothing", "everything", "someone", "anyone", "everyone", "much", "many", "more",
    "most", "less", "little", "lot", "bit", "able", "unable", "sorry", "afraid", "glad", "happy", "confused",
    "done", "made", "make", "take", "took", "give", "gave", "put", "say", "said", "tell", "told", "ask",
    "asked", "call", "called", "text", "message", "reply", "answer", "maybe", "probably", "actually",
    "pretty", "kind", "sort", "stuff", "thing", "things", "guys", "folks", "team", "mate", "dear", "sir",
    "madam", "miss", "mr", "mrs", "ms", "dr", "will", "wait", "moment", "minute", "minutes", "hour", "hours",
];

/// Every word the rules know: keywords, calendar words, abbreviations and common words.
static KNOWN: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let mut set: HashSet<&'static str> = keywords().collect();
    set.extend(COMMON_PT);
    set.extend(COMMON_EN);
    set.extend(text::ABBREVIATIONS.keys().copied());
    set.extend(text::expansion_words());
    set
});

pub(crate) fn is_known(word: &str) -> bool {
    KNOWN.contains(word)
}

/// Words a message is checked against: everything a pattern or the calendar reads. Typos of
/// these (of five letters or more) are corrected.
pub(crate) fn keywords() -> impl Iterator<Item = &'static str> {
    let pattern_words = INTENT_PATTERNS
        .iter()
        .map(|(_, _, p)| *p)
        .chain(NONE_OF_THESE.iter().copied())
        .chain(PROPOSALS.iter().copied())
        .chain(CANT.iter().copied())
        .chain(URGENT.iter().copied())
        .chain(STOP_WORDS.iter().copied())
        .chain(STOP_FILLERS.iter().copied())
        .flat_map(|p| p.split([' ', '|']))
        .map(|w| w.trim_start_matches('^').trim_end_matches(['$', '?', '*']))
        .filter(|w| !w.is_empty() && !w.starts_with('*') && w.bytes().all(|b| b.is_ascii_lowercase()));
    pattern_words
        .chain(WEEKDAYS.iter().map(|(w, _)| *w).filter(|w| !w.contains('-')))
        .chain(MONTHS.iter().map(|(w, _)| *w))
        .chain(HOUR_WORDS.iter().map(|(w, _)| *w))
        .chain(ORDINALS.iter().map(|(w, _)| *w))
        .chain(ENTITY_WORDS.iter().copied())
}

// ---- language ------------------------------------------------------------------------------

/// Words that are only (or mostly) Portuguese, for language detection.
#[rustfmt::skip]
pub(crate) const PT_MARKERS: &[&str] = &[
    "de", "que", "nao", "o", "os", "da", "do", "das", "dos", "para", "pra", "pro", "com", "uma", "um", "meu",
    "minha", "quero", "queria", "gostaria", "voce", "voces", "tem", "horario", "consulta", "amanha", "hoje",
    "sim", "oi", "ola", "bom", "boa", "dia", "obrigado", "obrigada", "por", "favor", "eu", "pode", "ser",
    "mais", "tarde", "noite", "manha", "marcar", "agendar", "cancelar", "remarcar", "segunda", "terca",
    "quarta", "quinta", "sexta", "sabado", "domingo", "semana", "proxima", "qual", "quanto", "onde", "como",
    "quando", "tudo", "bem", "esta", "estou", "ta", "sou", "aqui", "ja", "tambem", "muito", "preciso", "vou",
    "se", "mas", "ou", "isso", "esse", "essa", "na", "nem", "falar", "pessoa", "atendente", "certo", "beleza",
    "vai", "nome", "chamo", "fica", "ficam", "obrigado", "valeu", "entao", "ver", "ai", "la", "tenho",
    "estar", "agora", "depois", "ainda", "seu", "sua", "nos", "ao", "aos", "as", "e", "a", "em", "confirmo",
    "combinado", "mensagens", "mensagem", "receber", "quanto", "custa", "endereco", "clinica", "dentista",
    "doutora", "doutor", "limpeza", "vaga", "dor", "dente", "consigo", "posso", "tipo", "entendi",
    "aguardando",
];

/// Words that are only (or mostly) English.
#[rustfmt::skip]
pub(crate) const EN_MARKERS: &[&str] = &[
    "the", "to", "i", "you", "my", "is", "are", "can", "could", "would", "want", "like", "appointment",
    "book", "tomorrow", "today", "yes", "hi", "hello", "please", "thanks", "thank", "what", "when", "where",
    "how", "do", "not", "me", "at", "on", "for", "with", "it", "morning", "afternoon", "evening", "next",
    "week", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "have", "need",
    "cancel", "reschedule", "your", "this", "that", "will", "am", "be", "there", "of", "and", "in", "an",
    "just", "about", "time", "doctor", "get", "see", "good", "sure", "yeah", "yep", "from", "if", "so", "hey",
    "talk", "person", "human", "stop", "text", "messages", "does", "did", "which", "who", "why", "much",
    "name", "move", "change", "make", "sorry", "able", "come", "any", "please", "thanks", "up", "off", "back",
    "wrong", "number", "file", "sent", "check", "calendar", "wife", "handle", "let", "think", "saw", "nope",
    "interested", "later", "maybe", "pass", "works", "sounds", "great", "perfect", "fine", "cleaning",
    "dentist", "insurance", "address", "open", "parking", "located", "cost", "accept", "hours", "someone",
    "agent", "real", "call", "we", "our", "us", "was", "were", "been", "had", "has", "got", "going", "wanna",
];
