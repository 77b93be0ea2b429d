//! Creating a campaign in the staff app: a form for the audience (kind, last visit,
//! service, practitioner, unit, missed visits, lead stage and source, tags, a channel they
//! can be reached on), up to three steps and the sending window. "See audience" counts who
//! it would reach now without saving anything (htmx swaps the count in; without
//! JavaScript the page comes back with it); "Create draft" saves it, and the campaign's page
//! starts it. The form is read by the API's own parser, so both refuse the same things.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{internal, problem_page, render};
use super::session::{Staff, same_origin};
use crate::AppState;
use crate::campaign_body::{NewCampaignBody, SegmentBody, StepBody, WindowBody, new_campaign};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::leads::{LeadSource, LeadStage};
use frontdesk_domain::messaging::TemplateKey;
use frontdesk_domain::staff::Permission;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::campaigns::{self, CampaignFailure};
use serde::Deserialize;
use uuid::Uuid;

/// The steps the form offers (the API takes up to five).
const FORM_STEPS: usize = 3;

/// What the person typed, as typed: the page comes back with it after a preview or a
/// refusal.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    csrf: String,
    pub name: String,
    pub kind: String,
    pub last_visit_before_days: String,
    pub service_id: String,
    pub practitioner_id: String,
    pub location_id: String,
    pub had_no_show: Option<String>,
    pub lead_stage: String,
    pub lead_source: String,
    /// Comma-separated.
    pub tags: String,
    pub reachable_on: String,
    pub step1_channel: String,
    pub step1_template: String,
    pub step1_delay: String,
    pub step1_attempts: String,
    pub step2_channel: String,
    pub step2_template: String,
    pub step2_delay: String,
    pub step2_attempts: String,
    pub step3_channel: String,
    pub step3_template: String,
    pub step3_delay: String,
    pub step3_attempts: String,
    pub window_from: String,
    pub window_to: String,
    pub every_day: Option<String>,
}

impl CampaignForm {
    fn blank() -> Self {
        Self {
            kind: "recall".into(),
            last_visit_before_days: "180".into(),
            step1_channel: "whatsapp".into(),
            step1_template: TemplateKey::BookingLink.as_str().into(),
            step1_delay: "0".into(),
            step1_attempts: "1".into(),
            step2_delay: "48".into(),
            step2_attempts: "1".into(),
            step3_delay: "72".into(),
            step3_attempts: "1".into(),
            window_from: "09:00".into(),
            window_to: "18:00".into(),
            ..Self::default()
        }
    }

    /// (channel, template, delay, attempts) of step `n` (from 1).
    pub fn step(&self, n: &usize) -> (&str, &str, &str, &str) {
        match *n {
            1 => (&self.step1_channel, &self.step1_template, &self.step1_delay, &self.step1_attempts),
            2 => (&self.step2_channel, &self.step2_template, &self.step2_delay, &self.step2_attempts),
            _ => (&self.step3_channel, &self.step3_template, &self.step3_delay, &self.step3_attempts),
        }
    }

    /// The API's body: empty fields are absent, numbers that are not numbers are refused
    /// by name.
    fn body(&self, w: &NewTexts) -> Result<NewCampaignBody, String> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let number = |field: &'static str, s: &str| -> Result<Option<u32>, String> {
            some(s).map(|v| v.parse::<u32>().map_err(|_| format!("{field}: {}", w.not_a_number))).transpose()
        };
        let id = |field: &'static str, s: &str| -> Result<Option<Uuid>, String> {
            some(s).map(|v| v.parse::<Uuid>().map_err(|_| format!("{field}: {}", w.not_a_choice))).transpose()
        };
        let mut steps = Vec::new();
        for n in 1..=FORM_STEPS {
            let (channel, template, delay, attempts) = self.step(&n);
            let Some(channel) = some(channel) else { continue };
            let call = channel == "voice";
            let attempts = number("attempts", attempts)?.and_then(|a| u8::try_from(a).ok());
            steps.push(StepBody {
                template: if call { None } else { some(template) },
                delay_hours: number("delay_hours", delay)?.unwrap_or(0),
                attempts: if call { attempts } else { None },
                retry_after_hours: None,
                channel,
            });
        }
        Ok(NewCampaignBody {
            name: self.name.clone(),
            kind: self.kind.clone(),
            segment: SegmentBody {
                last_visit_before_days: if self.kind == "recall" {
                    number("last_visit_before_days", &self.last_visit_before_days)?
                } else {
                    None
                },
                service_id: id("service_id", &self.service_id)?,
                practitioner_id: id("practitioner_id", &self.practitioner_id)?,
                location_id: id("location_id", &self.location_id)?,
                had_no_show: self.had_no_show.is_some(),
                lead_stage: some(&self.lead_stage),
                lead_source: some(&self.lead_source),
                tags: self.tags.split(',').filter_map(some).collect(),
                reachable_on: some(&self.reachable_on),
            },
            steps,
            window: Some(WindowBody {
                weekdays: if self.every_day.is_some() { Vec::new() } else { vec![0, 1, 2, 3, 4] },
                from: self.window_from.clone(),
                to: self.window_to.clone(),
            }),
        })
    }
}

/// The form's words.
pub struct NewTexts {
    pub title: &'static str,
    pub hint: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub audience: &'static str,
    pub last_visit_days: &'static str,
    pub service: &'static str,
    pub practitioner: &'static str,
    pub unit: &'static str,
    pub any: &'static str,
    pub had_no_show: &'static str,
    pub lead_stage: &'static str,
    pub lead_source: &'static str,
    pub tags: &'static str,
    pub tags_hint: &'static str,
    pub reachable_on: &'static str,
    pub steps: &'static str,
    pub step: &'static str,
    pub channel: &'static str,
    pub no_step: &'static str,
    pub ai_call: &'static str,
    pub message: &'static str,
    pub delay: &'static str,
    pub attempts: &'static str,
    pub window: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub every_day: &'static str,
    pub see_audience: &'static str,
    pub create: &'static str,
    pub would_reach: &'static str,
    pub at_least: &'static str,
    pub first_step: &'static str,
    pub refused: &'static str,
    pub not_a_number: &'static str,
    pub not_a_choice: &'static str,
}

const PT_BR: NewTexts = NewTexts {
    title: "Nova campanha",
    hint: "Escolha quem recebe, o que recebe e quando. Nada é enviado ao criar: a campanha fica como rascunho até você iniciá-la.",
    name: "Nome",
    kind: "Tipo",
    audience: "Quem recebe",
    last_visit_days: "Última visita há pelo menos (dias)",
    service: "Serviço",
    practitioner: "Profissional",
    unit: "Unidade",
    any: "Qualquer",
    had_no_show: "Só quem já faltou",
    lead_stage: "Etapa do lead",
    lead_source: "Origem do lead",
    tags: "Etiquetas",
    tags_hint: "Separadas por vírgula; o paciente precisa ter todas (até 3).",
    reachable_on: "Só quem pode receber por",
    steps: "Etapas",
    step: "Etapa",
    channel: "Canal",
    no_step: "Sem esta etapa",
    ai_call: "Ligação (assistente de voz)",
    message: "Mensagem (não usada em ligações)",
    delay: "Horas depois da anterior",
    attempts: "Tentativas (só em ligações)",
    window: "Quando enviar (horário da clínica)",
    from: "De",
    to: "Até",
    every_day: "Todos os dias (sem marcar: segunda a sexta)",
    see_audience: "Ver público",
    create: "Criar rascunho",
    would_reach: "Alcançaria agora",
    at_least: "pelo menos",
    first_step: "Primeira etapa",
    refused: "A campanha não pôde ser criada:",
    not_a_number: "não é um número",
    not_a_choice: "não é uma opção da lista",
};

const EN: NewTexts = NewTexts {
    title: "New campaign",
    hint: "Choose who hears from you, what they get and when. Nothing is sent on creating: the campaign stays a draft until you start it.",
    name: "Name",
    kind: "Kind",
    audience: "Who gets it",
    last_visit_days: "Last visit at least (days) ago",
    service: "Service",
    practitioner: "Practitioner",
    unit: "Unit",
    any: "Any",
    had_no_show: "Only patients who missed a visit",
    lead_stage: "Lead stage",
    lead_source: "Lead source",
    tags: "Tags",
    tags_hint: "Comma-separated; the patient must carry all of them (up to 3).",
    reachable_on: "Only patients reachable by",
    steps: "Steps",
    step: "Step",
    channel: "Channel",
    no_step: "No such step",
    ai_call: "Call (voice assistant)",
    message: "Message (not used by calls)",
    delay: "Hours after the previous one",
    attempts: "Attempts (calls only)",
    window: "When to send (clinic time)",
    from: "From",
    to: "To",
    every_day: "Every day (unticked: Monday to Friday)",
    see_audience: "See audience",
    create: "Create draft",
    would_reach: "Would reach now",
    at_least: "at least",
    first_step: "First step",
    refused: "The campaign could not be created:",
    not_a_number: "not a number",
    not_a_choice: "not one of the choices",
};

pub fn texts(locale: Locale) -> &'static NewTexts {
    match locale {
        Locale::PtBr => &PT_BR,
        Locale::En => &EN,
    }
}

/// What the audience would be now.
pub struct PreviewView {
    pub audience: u64,
    pub capped: bool,
    pub first_step: String,
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct NewPage {
    t: &'static Texts,
    w: &'static NewTexts,
    chrome: Chrome,
    form: CampaignForm,
    problem: Option<String>,
    preview: Option<PreviewView>,
    kinds: Vec<(&'static str, &'static str)>,
    services: Vec<(String, String)>,
    practitioners: Vec<(String, String)>,
    units: Vec<(String, String)>,
    /// (value, label).
    stages: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    templates: Vec<(&'static str, &'static str)>,
    step_numbers: Vec<usize>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    form: CampaignForm,
    problem: Option<String>,
    preview: Option<PreviewView>,
    status: StatusCode,
) -> Response {
    let locale = staff.locale();
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let catalog = async {
        Ok::<_, frontdesk_store::StoreError>((
            store.list_services(tenant).await?,
            store.list_practitioners(tenant).await?,
            store.list_locations(tenant).await?,
        ))
    };
    let (services, practitioners, units) = match catalog.await {
        Ok(c) => c,
        Err(e) => return internal(locale, &e),
    };
    let chrome = match Chrome::new(state, staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let w = texts(locale);
    let t = staff.texts();
    let word = super::campaigns::word;
    let page = NewPage {
        t,
        w,
        chrome,
        form,
        problem,
        preview,
        kinds: ["recall", "recovery", "reactivation", "custom"].map(|k| (k, word(locale, k))).to_vec(),
        services: services.iter().map(|s| (s.id.to_string(), s.name.clone())).collect(),
        practitioners: practitioners.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
        units: units.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(),
        stages: LeadStage::ALL.iter().map(|s| (s.as_str(), t.stage(*s))).collect(),
        sources: LeadSource::ALL.iter().map(|s| (s.as_str(), source_name(*s, locale))).collect(),
        channels: vec![("whatsapp", "WhatsApp"), ("sms", "SMS"), ("email", "E-mail"), ("voice", w.ai_call)],
        templates: TemplateKey::ALL.iter().map(|k| (k.as_str(), t.set.template_name(*k))).collect(),
        step_numbers: (1..=FORM_STEPS).collect(),
    };
    render(&page, status)
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = staff.require(Permission::Work) {
        return refused;
    }
    page(&state, &staff, CampaignForm::blank(), None, None, StatusCode::OK).await
}

/// Checks the request and parses the form into what the engine takes: `Err` is the page
/// to answer with.
async fn read(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    form: &CampaignForm,
    refusal: StatusCode,
) -> Result<campaigns::NewCampaign, Response> {
    if !same_origin(headers) {
        return Err(problem_page(staff.locale(), StatusCode::FORBIDDEN));
    }
    staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work))?;
    let w = texts(staff.locale());
    let refused = |message: String| async move {
        let problem = Some(format!("{} {message}", w.refused));
        page(state, staff, form.clone(), problem, None, refusal).await
    };
    let body = match form.body(w) {
        Ok(b) => b,
        Err(message) => return Err(refused(message).await),
    };
    match new_campaign(body) {
        Ok(new) => Ok(new),
        Err(message) => Err(refused(message).await),
    }
}

/// Counts the audience the form describes, saving nothing.
pub async fn preview(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<CampaignForm>,
) -> Response {
    let new = match read(&state, &staff, &headers, &form, StatusCode::OK).await {
        Ok(new) => new,
        Err(r) => return r,
    };
    let locale = staff.locale();
    let w = texts(locale);
    let outcome = async {
        let draft = campaigns::draft(&state.ctx, staff.tenant.id, new)?;
        let p = campaigns::preview(&state.ctx, &draft, 0).await?;
        Ok::<_, CampaignFailure>((draft, p))
    };
    match outcome.await {
        Ok((draft, p)) => {
            let first = &draft.steps[0];
            let first_step = match first.template {
                Some(t) => format!(
                    "{} · {}",
                    channel_name(first.channel.as_str(), w),
                    staff.texts().set.template_name(t)
                ),
                None => channel_name(first.channel.as_str(), w).to_owned(),
            };
            let view = PreviewView { audience: p.audience, capped: p.capped, first_step };
            page(&state, &staff, form, None, Some(view), StatusCode::OK).await
        }
        Err(CampaignFailure::Store(e)) => internal(locale, &e),
        // 200: htmx swaps only successful answers, and the refusal belongs where the count goes.
        Err(other) => {
            let problem = Some(format!("{} {other}", w.refused));
            page(&state, &staff, form, problem, None, StatusCode::OK).await
        }
    }
}

/// Where a lead came from, in the person's language.
fn source_name(source: LeadSource, locale: Locale) -> &'static str {
    let (pt, en) = match source {
        LeadSource::PaidAds => ("Anúncios pagos", "Paid ads"),
        LeadSource::Organic => ("Busca orgânica", "Organic search"),
        LeadSource::Social => ("Redes sociais", "Social media"),
        LeadSource::Referral => ("Indicação", "Referral"),
        LeadSource::Whatsapp => ("WhatsApp", "WhatsApp"),
        LeadSource::Phone => ("Telefone", "Phone"),
        LeadSource::Crm => ("CRM", "CRM"),
        LeadSource::Import => ("Planilha importada", "Imported sheet"),
    };
    if locale == Locale::PtBr { pt } else { en }
}

fn channel_name(channel: &str, w: &NewTexts) -> &'static str {
    match channel {
        "whatsapp" => "WhatsApp",
        "sms" => "SMS",
        "email" => "E-mail",
        _ => w.ai_call,
    }
}

/// Saves the draft and opens its page.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<CampaignForm>,
) -> Response {
    let new = match read(&state, &staff, &headers, &form, StatusCode::UNPROCESSABLE_ENTITY).await {
        Ok(new) => new,
        Err(r) => return r,
    };
    let locale = staff.locale();
    match campaigns::create(&state.ctx, staff.tenant.id, new).await {
        Ok(c) => Redirect::to(&format!("/app/campaigns/{}", c.id)).into_response(),
        Err(CampaignFailure::Store(e)) => internal(locale, &e),
        Err(other) => {
            let problem = Some(format!("{} {other}", texts(locale).refused));
            page(&state, &staff, form, problem, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
