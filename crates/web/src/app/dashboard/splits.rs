//! The period's figures split by one dimension, drawn as labelled bars: the no-show rate by
//! how far ahead the visit was booked and by whether it was confirmed, bookings by
//! practitioner, leads by source, messages by who sent them; and the share of each recent
//! campaign's patients who booked. Read from the same split
//! rollups as `GET /api/v1/metrics/{kind}?breakdown=` (docs/metrics.md).

use super::words::Words;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::series::no_show_rate;
use frontdesk_domain::analytics::{Counter, Dimension, MetricKind, Period};
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::Ctx;
use frontdesk_engine::analytics::BreakdownRow;
use frontdesk_store::StoreResult;

/// One split of the period: a titled list of bars.
pub struct Split {
    pub title: &'static str,
    pub rows: Vec<Row>,
}

/// One value of the dimension: its name, the figure as text, and the bar's width in percent.
pub struct Row {
    pub label: String,
    pub value: String,
    pub percent: u32,
}

/// Rows shown per split at most (the largest, or the natural order's first).
const MOST: usize = 8;

/// Every split the dashboard shows, in order.
pub async fn all(
    ctx: &Ctx,
    tenant: TenantId,
    period: &Period,
    w: &'static Words,
    locale: Locale,
) -> StoreResult<Vec<Split>> {
    let get = |kind, dimension| frontdesk_engine::analytics::breakdown(ctx, tenant, kind, period, dimension);
    let lead_time = get(MetricKind::NoShows, Dimension::LeadTime).await?;
    let confirmation = get(MetricKind::NoShows, Dimension::Confirmation).await?;
    let practitioners = get(MetricKind::Appointments, Dimension::Practitioner).await?;
    let sources = get(MetricKind::Leads, Dimension::Source).await?;
    let senders = get(MetricKind::Messaging, Dimension::Sender).await?;
    let campaigns = campaign_results(ctx, tenant, w).await?;
    let totals = frontdesk_engine::analytics::totals(ctx, tenant, period).await?;
    Ok(vec![
        tone(&totals, w),
        campaigns,
        rates(w.no_shows_by_lead_time, &lead_time, |k| key_label(k, locale)),
        rates(w.no_shows_by_confirmation, &confirmation, |k| key_label(k, locale)),
        counts(w.bookings_by_practitioner, &practitioners, Counter::AppointmentsBooked, |k| k.to_owned()),
        counts(w.leads_by_source, &sources, Counter::LeadsCreated, |k| k.to_owned()),
        counts(w.messages_by_sender, &senders, Counter::MessagesSent, |k| key_label(k, locale)),
    ])
}

/// The clinic's latest campaigns that enrolled anyone (drafts have not), each as the share
/// of its patients who booked: "12% (3/25)". All-time, not the period: a campaign's
/// bookings come days after its messages.
async fn campaign_results(ctx: &Ctx, tenant: TenantId, w: &'static Words) -> StoreResult<Split> {
    use frontdesk_domain::campaigns::{CampaignStatus, EnrollmentState};
    let page =
        ctx.store.list_campaigns(tenant, frontdesk_domain::page::PageRequest::new(None, Some(20))).await?;
    let mut rows = Vec::new();
    for c in page.items.iter().filter(|c| c.status != CampaignStatus::Draft) {
        let n = ctx.store.enrollment_counts(tenant, c.id).await?;
        let booked = n.get(EnrollmentState::Booked);
        let Some(rate) = n.kpis().booking_rate else { continue };
        let percent = (rate * 100.0).round().clamp(0.0, 100.0) as u32;
        rows.push(Row {
            label: c.name.clone(),
            value: format!("{percent}% ({booked}/{})", n.total()),
            percent,
        });
        if rows.len() == MOST {
            break;
        }
    }
    Ok(Split { title: w.campaigns_booked, rows })
}

/// Patients' messages by tone, each as its count and share: "12 (40%)".
fn tone(totals: &frontdesk_domain::analytics::Totals, w: &'static Words) -> Split {
    let count = |c| totals.get(&c).copied().unwrap_or(0.0);
    let tones = [
        (w.tone_positive, count(Counter::MessagesPositive)),
        (w.tone_neutral, count(Counter::MessagesNeutral)),
        (w.tone_negative, count(Counter::MessagesNegative)),
    ];
    let all: f64 = tones.iter().map(|(_, n)| n).sum();
    let rows = if all > 0.0 {
        tones
            .into_iter()
            .map(|(label, n)| {
                let percent = (n / all * 100.0).round().clamp(0.0, 100.0) as u32;
                Row { label: label.to_owned(), value: format!("{n:.0} ({percent}%)"), percent }
            })
            .collect()
    } else {
        Vec::new()
    };
    Split { title: w.tone, rows }
}

fn value(row: &BreakdownRow, counter: Counter) -> f64 {
    row.values.iter().find(|(c, _)| *c == counter).map_or(0.0, |(_, v)| *v)
}

/// The no-show rate of each row that had appointments end, as "25% (1 of 4)".
fn rates(title: &'static str, rows: &[BreakdownRow], name: impl Fn(&str) -> String) -> Split {
    let rows = rows
        .iter()
        .filter_map(|r| {
            let (missed, showed) =
                (value(r, Counter::AppointmentsNoShow), value(r, Counter::AppointmentsShowed));
            let rate = no_show_rate(missed, showed)?;
            let percent = (rate * 100.0).round().clamp(0.0, 100.0) as u32;
            Some(Row {
                label: name(&r.key),
                value: format!("{percent}% ({missed:.0}/{:.0})", missed + showed),
                percent,
            })
        })
        .take(MOST)
        .collect();
    Split { title, rows }
}

/// One counter per row, the bars relative to the largest.
fn counts(
    title: &'static str,
    rows: &[BreakdownRow],
    counter: Counter,
    name: impl Fn(&str) -> String,
) -> Split {
    let top = rows.iter().map(|r| value(r, counter)).fold(0.0_f64, f64::max).max(1.0);
    let rows = rows
        .iter()
        .filter(|r| value(r, counter) > 0.0)
        .take(MOST)
        .map(|r| {
            let v = value(r, counter);
            // A practitioner's row carries their name already; other keys are named here.
            let label = if r.label != r.key { r.label.clone() } else { name(&r.key) };
            Row {
                label,
                value: format!("{v:.0}"),
                percent: ((v / top) * 100.0).round().clamp(0.0, 100.0) as u32,
            }
        })
        .collect();
    Split { title, rows }
}

/// Words for the keys the splits use (lead-time buckets, confirmation, senders); other keys
/// (a lead source as the clinic wrote it) are shown as they are.
fn key_label(key: &str, locale: Locale) -> String {
    let pt = locale == Locale::PtBr;
    let (p, e) = match key {
        "same_day" => ("No mesmo dia", "Same day"),
        "1_day" => ("1 dia antes", "1 day ahead"),
        "2_7_days" => ("2 a 7 dias", "2-7 days"),
        "8_30_days" => ("8 a 30 dias", "8-30 days"),
        "over_30_days" => ("Mais de 30 dias", "Over 30 days"),
        "confirmed" => ("Confirmadas", "Confirmed"),
        "not_confirmed" => ("Não confirmadas", "Not confirmed"),
        "ai" => ("Assistente", "Assistant"),
        "automation" => ("Automáticas", "Automated"),
        "staff" => ("Equipe", "Staff"),
        other => return other.to_owned(),
    };
    (if pt { p } else { e }).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, values: &[(Counter, f64)]) -> BreakdownRow {
        BreakdownRow { key: key.into(), label: key.into(), values: values.to_vec() }
    }

    #[test]
    fn rates_skip_rows_with_nothing_ended_and_say_of_how_many() {
        let rows = [
            row("same_day", &[(Counter::AppointmentsNoShow, 1.0), (Counter::AppointmentsShowed, 3.0)]),
            row("1_day", &[(Counter::AppointmentsNoShow, 0.0), (Counter::AppointmentsShowed, 0.0)]),
        ];
        let s = rates("t", &rows, |k| key_label(k, Locale::En));
        assert_eq!(s.rows.len(), 1);
        assert_eq!(
            (s.rows[0].label.as_str(), s.rows[0].value.as_str(), s.rows[0].percent),
            ("Same day", "25% (1/4)", 25)
        );
    }

    #[test]
    fn counts_are_relative_to_the_largest() {
        let rows =
            [row("ai", &[(Counter::MessagesSent, 6.0)]), row("staff", &[(Counter::MessagesSent, 3.0)])];
        let s = counts("t", &rows, Counter::MessagesSent, |k| key_label(k, Locale::PtBr));
        let got: Vec<_> = s.rows.iter().map(|r| (r.label.as_str(), r.percent)).collect();
        assert_eq!(got, [("Assistente", 100), ("Equipe", 50)]);
    }
}
