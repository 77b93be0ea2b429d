//! What campaigns achieved, for the analytics API and the dashboard: per campaign and per
//! kind, how many patients were enrolled, reached (a step went to them and did not come
//! back), engaged (replied), handed to staff, booked, the revenue of what they booked, and
//! the conversion (booked / enrolled) of those enrolled this month, in the last 90 days and
//! ever.

use super::CampaignKind;
use serde::Serialize;

/// The counts of one campaign (or a sum of several), as the store adds them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResultCounts {
    pub enrolled: u64,
    pub reached: u64,
    pub engaged: u64,
    pub handed_off: u64,
    pub booked: u64,
    /// The price of the appointments booked (and kept) since enrolling by the patients the
    /// campaign booked, in cents.
    pub recovered_revenue_cents: i64,
    pub enrolled_this_month: u64,
    pub booked_this_month: u64,
    pub enrolled_last_90_days: u64,
    pub booked_last_90_days: u64,
}

impl std::ops::AddAssign for ResultCounts {
    fn add_assign(&mut self, o: Self) {
        self.enrolled += o.enrolled;
        self.reached += o.reached;
        self.engaged += o.engaged;
        self.handed_off += o.handed_off;
        self.booked += o.booked;
        self.recovered_revenue_cents += o.recovered_revenue_cents;
        self.enrolled_this_month += o.enrolled_this_month;
        self.booked_this_month += o.booked_this_month;
        self.enrolled_last_90_days += o.enrolled_last_90_days;
        self.booked_last_90_days += o.booked_last_90_days;
    }
}

/// Conversion (booked / enrolled) over three horizons; `None` with nobody enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Conversion {
    pub this_month: Option<f64>,
    pub last_90_days: Option<f64>,
    pub lifetime: Option<f64>,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl ResultCounts {
    pub fn conversion(&self) -> Conversion {
        Conversion {
            this_month: ratio(self.booked_this_month, self.enrolled_this_month),
            last_90_days: ratio(self.booked_last_90_days, self.enrolled_last_90_days),
            lifetime: ratio(self.booked, self.enrolled),
        }
    }

    /// Of the enrolled: reached, engaged, handed off.
    pub fn reach_rate(&self) -> Option<f64> {
        ratio(self.reached, self.enrolled)
    }

    pub fn engagement_rate(&self) -> Option<f64> {
        ratio(self.engaged, self.reached)
    }
}

/// Adds up campaigns' counts by kind, in the kinds' order; kinds without a campaign are
/// left out.
pub fn by_kind(rows: &[(CampaignKind, ResultCounts)]) -> Vec<(CampaignKind, ResultCounts)> {
    let mut out: Vec<(CampaignKind, ResultCounts)> = Vec::new();
    for kind in CampaignKind::ALL {
        let mut sum = ResultCounts::default();
        let mut any = false;
        for (k, c) in rows {
            if k == kind {
                sum += *c;
                any = true;
            }
        }
        if any {
            out.push((*kind, sum));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_is_per_horizon_and_kinds_add_up() {
        let a = ResultCounts {
            enrolled: 10,
            reached: 8,
            engaged: 4,
            booked: 2,
            enrolled_this_month: 4,
            booked_this_month: 1,
            enrolled_last_90_days: 10,
            booked_last_90_days: 2,
            recovered_revenue_cents: 30_000,
            ..Default::default()
        };
        let c = a.conversion();
        assert_eq!((c.this_month, c.last_90_days, c.lifetime), (Some(0.25), Some(0.2), Some(0.2)));
        assert_eq!(a.engagement_rate(), Some(0.5));
        assert_eq!(ResultCounts::default().conversion().lifetime, None);
        let rows = [(CampaignKind::Recall, a), (CampaignKind::Custom, a), (CampaignKind::Recall, a)];
        let kinds = by_kind(&rows);
        assert_eq!(kinds.len(), 2);
        assert_eq!(kinds[0].0, CampaignKind::Recall);
        assert_eq!((kinds[0].1.enrolled, kinds[0].1.recovered_revenue_cents), (20, 60_000));
        assert_eq!(kinds[1], (CampaignKind::Custom, a));
    }
}
