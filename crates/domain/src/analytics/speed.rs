//! Speed to lead as a histogram: each lead's seconds from arrival to the clinic's first
//! reach-out falls in one bucket, and buckets add up across days, so the period's median
//! and 90th percentile come from summed counters. A percentile is reported as its bucket's
//! upper bound: exact to the second for the first minute, to 5 s up to 5 minutes, to a
//! minute up to an hour, to 10 minutes up to a day; beyond a day it is "over a day" (the
//! bound 86,401 s).

/// Upper bounds (seconds, inclusive) of the buckets, ascending.
pub fn bounds() -> &'static [u32] {
    static BOUNDS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        let mut b: Vec<u32> = (0..=60).collect();
        b.extend((65..=300).step_by(5));
        b.extend((360..=3_600).step_by(60));
        b.extend((4_200..=86_400).step_by(600));
        b.push(OVER_A_DAY);
        b
    })
}

/// The last bucket: more than a day.
pub const OVER_A_DAY: u32 = 86_401;

/// The bucket (its upper bound) a lead reached in `seconds` falls in.
pub fn bucket(seconds: i64) -> u32 {
    let s = u32::try_from(seconds.max(0)).unwrap_or(u32::MAX);
    let b = bounds();
    b[b.partition_point(|&bound| bound < s).min(b.len() - 1)]
}

/// The `q` quantile (0 < q <= 1) of a histogram of `(bucket bound, count)`, as a bucket
/// bound; `None` for an empty histogram. Nearest-rank: the smallest bound whose cumulative
/// count reaches `q` of the total.
pub fn quantile(histogram: &[(u32, f64)], q: f64) -> Option<u32> {
    let mut h: Vec<(u32, f64)> = histogram.iter().copied().filter(|(_, n)| *n > 0.0).collect();
    h.sort_by_key(|(b, _)| *b);
    let total: f64 = h.iter().map(|(_, n)| n).sum();
    if total <= 0.0 {
        return None;
    }
    let rank = (q * total).ceil().max(1.0);
    let mut seen = 0.0;
    for (bound, n) in h {
        seen += n;
        if seen >= rank {
            return Some(bound);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_for_the_first_minute_then_coarser() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(-3), 0);
        assert_eq!(bucket(42), 42);
        assert_eq!(bucket(61), 65);
        assert_eq!(bucket(300), 300);
        assert_eq!(bucket(301), 360);
        assert_eq!(bucket(3_601), 4_200);
        assert_eq!(bucket(90_000), OVER_A_DAY);
    }

    #[test]
    fn nearest_rank_quantiles() {
        // Five leads: 3 s, 5 s, 8 s, 40 s, 2 h.
        let h = [(3, 1.0), (5, 1.0), (8, 1.0), (40, 1.0), (bucket(7_200), 1.0)];
        assert_eq!(quantile(&h, 0.5), Some(8));
        assert_eq!(quantile(&h, 0.9), Some(7_200));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[(5, 0.0)], 0.5), None);
    }
}
