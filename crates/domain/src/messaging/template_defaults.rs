//! The built-in message texts, one per template and locale. Tenants can replace any of
//! them in their settings; these are what a new clinic sends.
//!
//! Written for WhatsApp and SMS: short, plain text, no markup. Optional variables are
//! guarded with `is defined` because rendering uses strict undefined behaviour.

use super::template_key::TemplateKey;
use crate::tenant::Locale;

pub(super) fn source(key: TemplateKey, locale: Locale) -> &'static str {
    use Locale::{En, PtBr};
    use TemplateKey::*;
    match (key, locale) {
        (AppointmentReminder, PtBr) => REMINDER_PT_BR,
        (AppointmentReminder, En) => REMINDER_EN,
        (AppointmentConfirmRequest, PtBr) => CONFIRM_REQUEST_PT_BR,
        (AppointmentConfirmRequest, En) => CONFIRM_REQUEST_EN,
        (AppointmentConfirmation, PtBr) => CONFIRMATION_PT_BR,
        (AppointmentConfirmation, En) => CONFIRMATION_EN,
        (BookingOffer, PtBr) => BOOKING_OFFER_PT_BR,
        (BookingOffer, En) => BOOKING_OFFER_EN,
        (OptOutConfirmation, PtBr) => OPT_OUT_PT_BR,
        (OptOutConfirmation, En) => OPT_OUT_EN,
        (OptInConfirmation, PtBr) => OPT_IN_PT_BR,
        (OptInConfirmation, En) => OPT_IN_EN,
        (AskToType, PtBr) => ASK_TO_TYPE_PT_BR,
        (AskToType, En) => ASK_TO_TYPE_EN,
        (MissedCall, PtBr) => MISSED_CALL_PT_BR,
        (MissedCall, En) => MISSED_CALL_EN,
        (LeadWelcome, PtBr) => LEAD_WELCOME_PT_BR,
        (LeadWelcome, En) => LEAD_WELCOME_EN,
        (LeadFollowUp, PtBr) => LEAD_FOLLOW_UP_PT_BR,
        (LeadFollowUp, En) => LEAD_FOLLOW_UP_EN,
        (Reactivation, PtBr) => REACTIVATION_PT_BR,
        (Reactivation, En) => REACTIVATION_EN,
        (AskService, PtBr) => ASK_SERVICE_PT_BR,
        (AskService, En) => ASK_SERVICE_EN,
        (AppointmentCancelled, PtBr) => CANCELLED_PT_BR,
        (AppointmentCancelled, En) => CANCELLED_EN,
        (HandOff, PtBr) => HAND_OFF_PT_BR,
        (HandOff, En) => HAND_OFF_EN,
        (DidNotUnderstand, PtBr) => DID_NOT_UNDERSTAND_PT_BR,
        (DidNotUnderstand, En) => DID_NOT_UNDERSTAND_EN,
        (BackShortly, PtBr) => BACK_SHORTLY_PT_BR,
        (BackShortly, En) => BACK_SHORTLY_EN,
        (EmergencyAdvice, PtBr) => EMERGENCY_ADVICE_PT_BR,
        (EmergencyAdvice, En) => EMERGENCY_ADVICE_EN,
        (NotAdvice, PtBr) => NOT_ADVICE_PT_BR,
        (NotAdvice, En) => NOT_ADVICE_EN,
        (StaffAlert, PtBr) => STAFF_ALERT_PT_BR,
        (StaffAlert, En) => STAFF_ALERT_EN,
        (WaitlistOffer, PtBr) => WAITLIST_OFFER_PT_BR,
        (WaitlistOffer, En) => WAITLIST_OFFER_EN,
        (WaitlistTaken, PtBr) => WAITLIST_TAKEN_PT_BR,
        (WaitlistTaken, En) => WAITLIST_TAKEN_EN,
        (WaitlistJoined, PtBr) => WAITLIST_JOINED_PT_BR,
        (WaitlistJoined, En) => WAITLIST_JOINED_EN,
        (BookingLink, PtBr) => BOOKING_LINK_PT_BR,
        (BookingLink, En) => BOOKING_LINK_EN,
    }
}

// The digits 1/2/3 are what the dialogue's reply parser expects after a reminder.
const REMINDER_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Lembrete da sua consulta com {{ practitioner }} \
em {{ date }} às {{ time }}\
{% if location is defined and location %}, em {{ location }}{% endif %}.

Responda:
1 para confirmar
2 para remarcar
3 para cancelar";

const CONFIRM_REQUEST_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Sua consulta com {{ practitioner }} \
é em {{ date }} às {{ time }}\
{% if location is defined and location %}, em {{ location }}{% endif %}. Podemos contar com você?

Responda:
1 para confirmar
2 para remarcar
3 para cancelar (assim liberamos o horário para outro paciente)";

const CONFIRM_REQUEST_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! Your appointment with {{ practitioner }} \
is on {{ date }} at {{ time }}\
{% if location is defined and location %}, at {{ location }}{% endif %}. Can we count on you?

Reply:
1 to confirm
2 to reschedule
3 to cancel (so another patient can have the time)";

const REMINDER_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! This is a reminder of your appointment with {{ practitioner }} \
on {{ date }} at {{ time }}\
{% if location is defined and location %}, at {{ location }}{% endif %}.

Reply:
1 to confirm
2 to reschedule
3 to cancel";

const CONFIRMATION_PT_BR: &str = "\
Tudo certo{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Sua consulta com {{ practitioner }} está marcada \
para {{ date }} às {{ time }}\
{% if location is defined and location %}, em {{ location }}{% endif %}. Até lá!\
{% if ics_url is defined and ics_url %}

Adicione à sua agenda: {{ ics_url }}{% endif %}\
{% if manage_url is defined and manage_url %}

Para remarcar ou cancelar: {{ manage_url }}{% endif %}";

const CONFIRMATION_EN: &str = "\
All set{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Your appointment with {{ practitioner }} is booked \
for {{ date }} at {{ time }}\
{% if location is defined and location %}, at {{ location }}{% endif %}. See you then!\
{% if ics_url is defined and ics_url %}

Add it to your calendar: {{ ics_url }}{% endif %}\
{% if manage_url is defined and manage_url %}

To reschedule or cancel: {{ manage_url }}{% endif %}";

// `slots` are labels the caller has already formatted for the locale ("ter 14/10 às
// 09:00"); the number in front is what the patient answers with.
const BOOKING_OFFER_PT_BR: &str = "\
{% if patient_first_name is defined and patient_first_name %}{{ patient_first_name }}, estes{% else %}Estes{% endif %} são os próximos horários disponíveis:
{% for slot in slots %}{{ loop.index }}. {{ slot }}
{% endfor %}
Responda com o número do horário que preferir.";

const BOOKING_OFFER_EN: &str = "\
{% if patient_first_name is defined and patient_first_name %}{{ patient_first_name }}, these{% else %}These{% endif %} are the next available times:
{% for slot in slots %}{{ loop.index }}. {{ slot }}
{% endfor %}
Reply with the number of the time you prefer.";

// The opt-out confirmation is the last automated message the patient gets on this
// channel, so it says how to come back.
const OPT_OUT_PT_BR: &str = "\
Pronto, você não receberá mais mensagens automáticas por aqui. \
Se mudar de ideia, é só responder VOLTAR.";

const OPT_OUT_EN: &str = "\
Done, you will no longer receive automated messages here. \
If you change your mind, just reply START.";

const OPT_IN_PT_BR: &str = "\
Que bom ter você de volta! Você voltará a receber lembretes e avisos por aqui. \
Para parar, responda PARAR.";

const OPT_IN_EN: &str = "\
Welcome back! You will receive reminders and updates here again. \
To stop, reply STOP.";

// Sent when a voice note arrives and no transcriber is configured; the patient may be
// new, so the name is optional.
const ASK_TO_TYPE_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! \
Recebemos seu áudio, mas por aqui ainda não conseguimos ouvi-lo. \
Pode escrever sua mensagem, por favor?";

const ASK_TO_TYPE_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! \
We got your voice message, but we can't listen to audio here yet. \
Could you type your message, please?";

const MISSED_CALL_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! \
Aqui é da {{ clinic_name }}. Tentamos falar com você por telefone agora há pouco. \
Quer agendar sua consulta por aqui? É só responder esta mensagem.";

const MISSED_CALL_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! \
This is {{ clinic_name }}. We just tried to reach you by phone. \
Would you like to book your appointment here? Just reply to this message.";

const LEAD_WELCOME_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! \
Aqui é da {{ clinic_name }}. Recebemos seu contato\
{% if service is defined and service %} sobre {{ service }}{% endif %}. \
Quer agendar? Responda com o dia e o horário que prefere.";

const LEAD_WELCOME_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! \
This is {{ clinic_name }}. We got your request\
{% if service is defined and service %} about {{ service }}{% endif %}. \
Would you like to book? Reply with the day and time you prefer.";

const LEAD_FOLLOW_UP_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! \
A {{ clinic_name }} ainda tem horários livres esta semana. Quer que eu reserve um para você?";

const LEAD_FOLLOW_UP_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! \
{{ clinic_name }} still has free times this week. Shall I book one for you?";

const REACTIVATION_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! \
Sentimos sua falta na {{ clinic_name }}. Quer marcar um novo horário? É só responder esta mensagem.";

const REACTIVATION_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! \
We missed you at {{ clinic_name }}. Would you like a new time? Just reply to this message.";

const ASK_SERVICE_PT_BR: &str = "\
Claro! Para qual atendimento? {% for s in services %}{{ s }}{% if not loop.last %}, {% endif %}{% endfor %}.";

const ASK_SERVICE_EN: &str = "\
Sure! Which service? {% for s in services %}{{ s }}{% if not loop.last %}, {% endif %}{% endfor %}.";

const CANCELLED_PT_BR: &str = "\
Pronto, sua consulta de {{ date }} às {{ time }} foi cancelada. Se quiser marcar outra, é só escrever.";

const CANCELLED_EN: &str = "\
Done, your appointment on {{ date }} at {{ time }} is cancelled. Write any time to book another.";

const HAND_OFF_PT_BR: &str =
    "Certo! Uma pessoa da nossa equipe vai continuar o atendimento por aqui em breve.";

const HAND_OFF_EN: &str = "Sure! Someone from our team will continue here shortly.";

const DID_NOT_UNDERSTAND_PT_BR: &str = "\
Desculpe, não entendi. Você quer marcar, remarcar ou cancelar uma consulta?";

const DID_NOT_UNDERSTAND_EN: &str = "\
Sorry, I didn't understand. Would you like to book, reschedule or cancel an appointment?";

const BACK_SHORTLY_PT_BR: &str = "\
Recebemos sua mensagem! Nosso sistema está instável agora; \
em alguns minutos voltamos a falar com você por aqui.";

const BACK_SHORTLY_EN: &str = "\
We got your message! Our system is having trouble right now; \
we will get back to you here in a few minutes.";

// Short, calm and in the order to act: call, go, we know. No booking prompt.
const EMERGENCY_ADVICE_PT_BR: &str = "\
Isso pode ser uma emergência. Ligue agora para {{ emergency_numbers }} \
ou vá ao pronto-socorro mais próximo. Não espere por esta conversa. \
Nossa equipe já foi avisada e vai falar com você.\
{% if crisis_line is defined and crisis_line %} Se quiser conversar com alguém agora, \
o {{ crisis_line }} atende 24 horas, de graça.{% endif %}";

const EMERGENCY_ADVICE_EN: &str = "\
This may be an emergency. Call {{ emergency_numbers }} now \
or go to the nearest emergency room. Please do not wait for this chat. \
Our team has been told and will contact you.\
{% if crisis_line is defined and crisis_line %} If you want to talk to someone now, \
call {{ crisis_line }}, free, any time.{% endif %}";

const NOT_ADVICE_PT_BR: &str = "\
Essa é uma pergunta para um profissional: por aqui não posso orientar sobre diagnóstico, \
medicamentos ou resultados de exames. Já passei sua mensagem para a nossa equipe, que vai responder em breve.";

const NOT_ADVICE_EN: &str = "\
That is a question for a professional: I can't advise on diagnoses, medicines or test results here. \
I have passed your message to our team, who will reply shortly.";

// Only that something is urgent and where to look: never the patient's words or symptom.
const STAFF_ALERT_PT_BR: &str = "\
{{ clinic_name }}: conversa URGENTE aguardando a equipe. Abra o app: {{ conversation_url }}";

const STAFF_ALERT_EN: &str = "\
{{ clinic_name }}: URGENT conversation waiting for staff. Open the app: {{ conversation_url }}";

// Honest about the race: a few patients hear of the same slot, the first "sim" books it.
const WAITLIST_OFFER_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Vagou um horário \
com {{ practitioner }} em {{ date }} às {{ time }}\
{% if location is defined and location %}, em {{ location }}{% endif %}.

Quer ficar com ele? Responda SIM em até {{ minutes }} minutos. Avisamos mais de uma pessoa da lista de espera; \
o horário fica com quem responder primeiro.";

const WAITLIST_OFFER_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! A time has opened up \
with {{ practitioner }} on {{ date }} at {{ time }}\
{% if location is defined and location %}, at {{ location }}{% endif %}.

Would you like it? Reply YES within {{ minutes }} minutes. We told a few people on the waitlist; \
the first to reply gets it.";

const WAITLIST_TAKEN_PT_BR: &str = "\
Que pena{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}: o horário \
de {{ date }} às {{ time }} já foi preenchido por outro paciente. Você continua na lista de espera \
e avisamos assim que vagar outro.";

const WAITLIST_TAKEN_EN: &str = "\
Sorry{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}: the time \
on {{ date }} at {{ time }} has already been taken by another patient. You are still on the waitlist \
and we will tell you as soon as another one opens up.";

const WAITLIST_JOINED_PT_BR: &str = "\
Pronto{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Você está na \
lista de espera para {{ service }}. Quando vagar um horário, mandamos uma mensagem aqui.";

const WAITLIST_JOINED_EN: &str = "\
Done{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! You are on the \
waitlist for {{ service }}. When a time opens up, we will message you here.";

const BOOKING_LINK_PT_BR: &str = "\
Olá{% if patient_first_name is defined and patient_first_name %}, {{ patient_first_name }}{% endif %}! Para agendar na \
{{ clinic_name }}, escolha o melhor horário por este link (sem precisar digitar seus dados): {{ booking_url }}";

const BOOKING_LINK_EN: &str = "\
Hi{% if patient_first_name is defined and patient_first_name %} {{ patient_first_name }}{% endif %}! To book with \
{{ clinic_name }}, pick the time that suits you with this link (no need to type your details): {{ booking_url }}";
