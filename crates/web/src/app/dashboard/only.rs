//! The dashboard narrowed to one practitioner, unit or lead source (`?only=practitioner:ID`):
//! the choices offered, and what the choice keeps. Narrowed, the cards are the figures kept
//! per that dimension (a practitioner's bookings, no-shows and revenue; a source's leads),
//! read from the same split rollups as the metrics API's `?practitioner=`.

use super::Words;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::{Dimension, Period, Split};
use frontdesk_engine::Ctx;
use frontdesk_store::StoreResult;

/// One choice of the select, grouped.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Group {
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

/// `practitioner:ID`, `unit:ID` or `source:KEY` read back; `None` for the whole clinic.
pub fn parse(raw: Option<&str>) -> Result<Option<Split>, ()> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    let (dimension, key) = raw.split_once(':').ok_or(())?;
    let dimension = match dimension {
        "practitioner" => Dimension::Practitioner,
        "unit" => Dimension::Unit,
        "source" => Dimension::Source,
        _ => return Err(()),
    };
    Split::named(dimension, key).map(Some).ok_or(())
}

pub fn value(split: &Split) -> String {
    format!("{}:{}", split.dimension.as_str(), split.key)
}

/// The clinic's practitioners and units, and the lead sources seen in the period.
pub async fn groups(
    ctx: &Ctx,
    tenant: TenantId,
    period: &Period,
    chosen: Option<&Split>,
    w: &'static Words,
) -> StoreResult<Vec<Group>> {
    let selected = |d: Dimension, key: &str| chosen.is_some_and(|s| s.dimension == d && s.key == key);
    let choice = |d: Dimension, key: String, label: String| Choice {
        selected: selected(d, &key),
        value: format!("{}:{key}", d.as_str()),
        label,
    };
    let practitioners = ctx
        .store
        .list_practitioners(tenant)
        .await?
        .into_iter()
        .map(|p| choice(Dimension::Practitioner, p.id.to_string(), p.name))
        .collect();
    let units = ctx
        .store
        .list_locations(tenant)
        .await?
        .into_iter()
        .map(|l| choice(Dimension::Unit, l.id.to_string(), l.name))
        .collect();
    let mut sources: Vec<Choice> =
        frontdesk_engine::analytics::lead_sources(ctx, tenant, period.from, period.to)
            .await?
            .into_iter()
            .map(|key| choice(Dimension::Source, key.clone(), key))
            .collect();
    // A chosen source with no leads in this period stays choosable.
    if let Some(s) = chosen.filter(|s| s.dimension == Dimension::Source)
        && !sources.iter().any(|c| c.selected)
    {
        sources.push(choice(Dimension::Source, s.key.clone(), s.key.clone()));
    }
    Ok(vec![
        Group { label: w.practitioners, choices: practitioners },
        Group { label: w.units, choices: units },
        Group { label: w.sources, choices: sources },
    ]
    .into_iter()
    .filter(|g| !g.choices.is_empty())
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_back_and_bad_ones_are_refused() {
        let s = parse(Some("practitioner:0192")).unwrap().unwrap();
        assert_eq!((s.dimension, s.key.as_str()), (Dimension::Practitioner, "0192"));
        assert_eq!(value(&s), "practitioner:0192");
        assert_eq!(parse(Some("")).unwrap(), None);
        assert_eq!(parse(None).unwrap(), None);
        for bad in ["sender:ai", "practitioner:", "unit", "source:a=b"] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
