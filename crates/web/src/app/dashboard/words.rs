//! The dashboard's own words in Portuguese and English.

use frontdesk_domain::tenant::Locale;

pub struct Words {
    pub period: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub last_7_days: &'static str,
    pub last_30_days: &'static str,
    pub this_month: &'static str,
    pub last_month: &'static str,
    pub figures: &'static str,
    pub before: &'static str,
    pub funnel: &'static str,
    pub funnel_leads: &'static str,
    pub funnel_contacted: &'static str,
    pub funnel_booked: &'static str,
    pub leads_per_day: &'static str,
    pub bookings_per_day: &'static str,
    pub no_data: &'static str,
    pub reports: &'static str,
    pub reports_hint: &'static str,
    pub live_hint: &'static str,
}

static PT: Words = Words {
    period: "Período",
    from: "De",
    to: "Até",
    show: "Mostrar",
    last_7_days: "Últimos 7 dias",
    last_30_days: "Últimos 30 dias",
    this_month: "Este mês",
    last_month: "Mês passado",
    figures: "Números do período",
    before: "antes",
    funnel: "Funil de leads",
    funnel_leads: "Recebidos",
    funnel_contacted: "Contatados",
    funnel_booked: "Agendaram",
    leads_per_day: "Leads por dia",
    bookings_per_day: "Agendamentos por dia",
    no_data: "Nada registrado no período.",
    reports: "Relatórios do período",
    reports_hint: "Os mesmos números e as linhas por trás deles, para guardar ou enviar.",
    live_hint: "Os números se atualizam sozinhos a cada novo acontecimento. Comparação com o mesmo número de dias logo antes.",
};

static EN: Words = Words {
    period: "Period",
    from: "From",
    to: "To",
    show: "Show",
    last_7_days: "Last 7 days",
    last_30_days: "Last 30 days",
    this_month: "This month",
    last_month: "Last month",
    figures: "The period's figures",
    before: "before",
    funnel: "Lead funnel",
    funnel_leads: "Arrived",
    funnel_contacted: "Contacted",
    funnel_booked: "Booked",
    leads_per_day: "Leads per day",
    bookings_per_day: "Appointments booked per day",
    no_data: "Nothing recorded in this period.",
    reports: "Reports for this period",
    reports_hint: "The same figures and the rows behind them, to keep or send.",
    live_hint: "Figures update by themselves as things happen. Compared with as many days just before.",
};

pub fn of(locale: Locale) -> &'static Words {
    match locale {
        Locale::PtBr => &PT,
        Locale::En => &EN,
    }
}
