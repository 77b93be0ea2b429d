//! The assistant (docs/assistant.md): questions about the clinic's figures answered from
//! the metrics ([`ask`]), and the tools an AI client may call ([`tools`]), served over the
//! API and the Model Context Protocol alike.

pub mod model;
pub mod tools;

use crate::Ctx;
use crate::analytics;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::{Counter, Dimension, Period};
use frontdesk_domain::assistant::answer::{rank, sentence, unmapped};
use frontdesk_domain::assistant::{Catalogue, Found, Query, Row, Split, read};
use frontdesk_domain::tenant::Locale;
use frontdesk_store::StoreResult;
use serde::Serialize;

/// An answer: the sentence, and what it was computed from so it can be checked.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// False when the question could not be mapped to the figures; `text` says why.
    pub answered: bool,
    pub text: String,
    pub locale: Locale,
    /// The canonical query (`no_shows 2026-11-09..2026-11-15 where practitioner=...`).
    pub query: Option<String>,
    /// The metrics request giving the same figures.
    pub api: Option<String>,
    pub figure: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// True when the question named no period and the last 30 days were used.
    pub assumed_period: bool,
    /// The figure for the period (and the previous period's), when not split.
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// The rows of a split, largest first.
    pub rows: Vec<AnswerRow>,
    /// True when the clinic's language model wrote the answer (its `query` lists the tool
    /// calls it made).
    pub by_model: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerRow {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
}

/// The names a question may use: the clinic's practitioners, services (with their
/// department), units, message channels and the lead sources seen in the last 400 days.
pub async fn catalogue(ctx: &Ctx, tenant: TenantId, today: jiff::civil::Date) -> StoreResult<Catalogue> {
    let mut c = Catalogue::new().with_channels();
    for p in ctx.store.list_practitioners(tenant).await? {
        c.add(Dimension::Practitioner, &p.id.to_string(), &p.name, &[]);
    }
    for s in ctx.store.list_services(tenant).await? {
        c.add(Dimension::Service, &s.id.to_string(), &s.name, &[&s.department]);
    }
    for l in ctx.store.list_locations(tenant).await? {
        c.add(Dimension::Unit, &l.id.to_string(), &l.name, &[]);
    }
    let from = today.checked_sub(jiff::Span::new().days(399)).unwrap_or(today);
    for source in analytics::lead_sources(ctx, tenant, from, today).await? {
        c.add(Dimension::Source, &source, &source, &[]);
    }
    Ok(c)
}

/// The clinic's today, in its zone.
pub async fn clinic_today(
    ctx: &Ctx,
    tenant: TenantId,
) -> StoreResult<(jiff::civil::Date, jiff::tz::TimeZone, Locale)> {
    let t = ctx.store.tenant_by_id(tenant).await?.ok_or(frontdesk_store::StoreError::NotFound)?;
    let tz = t.timezone.time_zone();
    Ok((tz.to_datetime(ctx.clock.now()).date(), tz, t.locale))
}

/// Answers a question about the figures in `locale` (else the question's own language,
/// else the clinic's).
pub async fn ask(
    ctx: &Ctx,
    actor: &crate::audit::Actor,
    question: &str,
    locale: Option<Locale>,
) -> StoreResult<Answer> {
    let tenant = actor.tenant_id;
    let (today, tz, clinic_locale) = clinic_today(ctx, tenant).await?;
    let locale = locale
        .or_else(|| frontdesk_domain::nlu::language::detect(question).map(|e| e.locale))
        .unwrap_or(clinic_locale);
    let catalogue = catalogue(ctx, tenant, today).await?;
    let (query, assumed) = match read(question, today, &catalogue) {
        Ok(read) => read,
        Err(why @ frontdesk_domain::assistant::Unmapped::NoFigure) => {
            let settings = ctx.store.tenant_settings(tenant).await?;
            let Some(endpoint) = settings.dialogue.assistant_model else {
                return Ok(Answer { text: unmapped(&why, locale), ..unanswered(locale) });
            };
            return Ok(match model::answer(ctx, actor, &endpoint, question, locale, today).await {
                model::ModelAnswer::Answered { text, ran } => Answer {
                    answered: true,
                    text,
                    query: Some(if ran.is_empty() {
                        "model (no tool called)".into()
                    } else {
                        ran.join("; ")
                    }),
                    by_model: true,
                    ..unanswered(locale)
                },
                model::ModelAnswer::Failed(reason) => {
                    tracing::warn!(reason = %reason, "the assistant's model could not answer");
                    let text = match locale {
                        Locale::PtBr => format!(
                            "{} (O modelo de linguagem também não respondeu: {reason}.)",
                            unmapped(&why, locale)
                        ),
                        Locale::En => format!(
                            "{} (The language model could not answer either: {reason}.)",
                            unmapped(&why, locale)
                        ),
                    };
                    Answer { text, by_model: true, ..unanswered(locale) }
                }
            });
        }
        Err(why) => return Ok(Answer { text: unmapped(&why, locale), ..unanswered(locale) }),
    };
    let period = match Period::new(query.from, query.to, tz) {
        Ok(p) => p,
        Err(e) => return Ok(Answer { text: e.to_string(), ..unanswered(locale) }),
    };
    let found = run(ctx, tenant, &query, &period).await?;
    let mut text = sentence(&query, &found, locale, &|v| figure_text(v, query.measure.unit, locale));
    if assumed {
        text.push_str(match locale {
            Locale::PtBr => " (Sem período na pergunta: usei os últimos 30 dias.)",
            Locale::En => " (No period in the question: I used the last 30 days.)",
        });
    }
    let (value, previous, rows) = match found {
        Found::Value { value, previous } => (value, previous, Vec::new()),
        Found::Rows(rows) => (
            None,
            None,
            rows.into_iter().map(|r| AnswerRow { key: r.key, label: r.label, value: r.value }).collect(),
        ),
    };
    Ok(Answer {
        answered: true,
        text,
        locale,
        query: Some(query.to_string()),
        api: Some(api_request(&query)),
        figure: Some(query.measure.name.to_owned()),
        from: Some(query.from.to_string()),
        to: Some(query.to.to_string()),
        assumed_period: assumed,
        value,
        previous,
        rows,
        by_model: false,
    })
}

/// A figure as the dashboard and the reports write it ("41,7%", "R$ 1.250,00"); a time as
/// minutes and seconds.
fn figure_text(v: Option<f64>, unit: frontdesk_domain::analytics::labels::Unit, locale: Locale) -> String {
    use frontdesk_domain::analytics::labels::Unit;
    let Some(v) = v else {
        return match locale {
            Locale::PtBr => "sem dados".into(),
            Locale::En => "no data".into(),
        };
    };
    if unit == Unit::Seconds {
        let s = v.round() as i64;
        return match (s / 3600, (s % 3600) / 60, s % 60) {
            (0, 0, sec) => format!("{sec} s"),
            (0, min, 0) => format!("{min} min"),
            (0, min, sec) => format!("{min} min {sec} s"),
            (h, min, _) => format!("{h} h {min} min"),
        };
    }
    let kind = crate::reports::figure_kind(unit);
    frontdesk_reports::cell_text(
        &frontdesk_reports::Cell::Num(v),
        &kind,
        crate::reports::report_locale(locale),
    )
}

fn unanswered(locale: Locale) -> Answer {
    Answer {
        answered: false,
        text: String::new(),
        locale,
        query: None,
        api: None,
        figure: None,
        from: None,
        to: None,
        assumed_period: false,
        value: None,
        previous: None,
        rows: Vec::new(),
        by_model: false,
    }
}

/// The metrics request that gives the query's figures.
pub fn api_request(q: &Query) -> String {
    let dimension = q.split.map(Split::dimension).or(q.filter.as_ref().map(|f| f.dimension));
    match (q.measure.figure, dimension, q.measure.view) {
        (_, Some(d), Some((kind, _))) => {
            format!("/api/v1/metrics/{}?from={}&to={}&breakdown={}", kind.as_str(), q.from, q.to, d.as_str())
        }
        (None, None, Some((kind, _))) => {
            format!("/api/v1/metrics/{}?from={}&to={}", kind.as_str(), q.from, q.to)
        }
        _ => format!("/api/v1/metrics/overview?from={}&to={}", q.from, q.to),
    }
}

/// Runs a query against the rollups, the same sums the metrics API reads.
pub async fn run(ctx: &Ctx, tenant: TenantId, q: &Query, period: &Period) -> StoreResult<Found> {
    let dimension = q.split.map(Split::dimension).or(q.filter.as_ref().map(|f| f.dimension));
    let Some(dimension) = dimension else {
        return Ok(match q.measure.figure {
            Some(name) => {
                let o = analytics::overview(ctx, tenant, period).await?;
                let f = o.get(name);
                Found::Value { value: f.and_then(|f| f.value), previous: f.and_then(|f| f.previous) }
            }
            None => {
                let Some((_, formula)) = q.measure.view else {
                    return Ok(Found::Value { value: None, previous: None });
                };
                analytics::catch_up(ctx, tenant).await?;
                let now = analytics::totals(ctx, tenant, period).await?;
                let before = match period.previous() {
                    Ok(p) => analytics::totals(ctx, tenant, &p).await?,
                    Err(_) => Default::default(),
                };
                let get = |t: &frontdesk_domain::analytics::Totals| {
                    formula.apply(|c| t.get(&c).copied().unwrap_or(0.0))
                };
                Found::Value { value: get(&now), previous: get(&before) }
            }
        });
    };
    // `read` only splits figures that have a view; none to split is no rows.
    let Some((kind, formula)) = q.measure.view else { return Ok(Found::Rows(Vec::new())) };
    let rows = analytics::breakdown(ctx, tenant, kind, period, dimension).await?;
    let value_of = |values: &[(Counter, f64)]| {
        formula.apply(|c| values.iter().find(|(x, _)| *x == c).map_or(0.0, |(_, v)| *v))
    };
    if let Some(f) = &q.filter {
        let row = rows.iter().find(|r| r.key == f.key);
        return Ok(Found::Value { value: value_of(row.map_or(&[][..], |r| &r.values)), previous: None });
    }
    let mut rows: Vec<Row> =
        rows.into_iter().map(|r| Row { value: value_of(&r.values), key: r.key, label: r.label }).collect();
    rank(&mut rows);
    Ok(Found::Rows(rows))
}
