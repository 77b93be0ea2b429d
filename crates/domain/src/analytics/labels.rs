//! Each overview figure's name for people, in Portuguese and English, and its unit (how to
//! show it): one table for the dashboard, the reports and the assistant.

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// A fraction shown as a percentage; its change is told in percentage points.
    Rate,
    Seconds,
    /// The clinic's money (service prices).
    Money,
    /// The voice provider's cost, in its currency.
    Cost,
}

/// Whether a rise of the figure is good news (for colouring a change); `None` when neither.
pub fn rise_is_good(name: &str) -> Option<bool> {
    match name {
        "no_show_rate"
        | "revenue_lost_to_no_shows"
        | "speed_to_lead_p50_seconds"
        | "speed_to_lead_p90_seconds"
        | "staff_response_p50_seconds"
        | "staff_response_p90_seconds"
        | "calls_cost_total" => Some(false),
        "calls_avg_duration_seconds" | "handoffs_requested" => None,
        _ => Some(true),
    }
}

/// `(Portuguese, English, unit)` of an overview figure.
pub fn label(name: &str) -> Option<(&'static str, &'static str, Unit)> {
    use Unit::*;
    Some(match name {
        "leads_total" => ("Leads recebidos", "Leads", Count),
        "leads_contacted" => ("Leads contatados", "Leads contacted", Count),
        "leads_booked" => ("Leads que agendaram", "Leads booked", Count),
        "lead_to_booking_rate" => ("Conversão em agendamento", "Lead-to-booking rate", Rate),
        "speed_to_lead_p50_seconds" => {
            ("Tempo até o 1º contato, mediana (s)", "Speed to lead, median (s)", Seconds)
        }
        "speed_to_lead_p90_seconds" => ("Tempo até o 1º contato, p90 (s)", "Speed to lead, p90 (s)", Seconds),
        "appointments_total" => ("Agendamentos", "Appointments booked", Count),
        "appointments_showed" => ("Comparecimentos", "Attended", Count),
        "no_show_rate" => ("Taxa de faltas", "No-show rate", Rate),
        "messages_sent" => ("Mensagens enviadas", "Messages sent", Count),
        "messages_delivered_rate" => ("Taxa de entrega", "Delivered rate", Rate),
        "messages_read_rate" => ("Taxa de leitura", "Read rate", Rate),
        "patient_response_rate" => ("Respostas por mensagem", "Replies per message", Rate),
        "calls_total" => ("Ligações", "Calls", Count),
        "calls_answered_rate" => ("Taxa de atendimento", "Answered rate", Rate),
        "calls_avg_duration_seconds" => ("Duração média (s)", "Average duration (s)", Seconds),
        "calls_cost_total" => ("Custo das ligações (USD)", "Call cost (USD)", Cost),
        "bookings_by_ai_share" => ("Agendados pelo assistente", "Booked by the assistant", Rate),
        "replies_by_ai_share" => ("Respostas do assistente", "Replies by the assistant", Rate),
        "handoffs_requested" => ("Conversas passadas à equipe", "Handed to staff", Count),
        "staff_response_p50_seconds" => {
            ("Resposta da equipe, mediana (s)", "Staff response time, median (s)", Seconds)
        }
        "staff_response_p90_seconds" => {
            ("Resposta da equipe, p90 (s)", "Staff response time, p90 (s)", Seconds)
        }
        "revenue_booked" => ("Receita agendada", "Revenue booked", Money),
        "revenue_lost_to_no_shows" => ("Receita perdida com faltas", "Revenue lost to no-shows", Money),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_figure_has_a_label() {
        for name in super::super::overview::FIGURES {
            assert!(super::label(name).is_some(), "{name}");
        }
    }
}
