//! Conformance: daily rollups add up per tenant and day, and the cursor moves once.

use crate::DynStore;
use crate::conformance_scheduling::clinic;
use frontdesk_domain::analytics::{Counter, Increment};
use jiff::civil::date;

fn inc(day: (i16, i8, i8), counter: Counter, value: f64) -> Increment {
    Increment { day: date(day.0, day.1, day.2), counter, value, split: None }
}

pub async fn rollups_add_up_by_day_and_the_cursor_moves_once(store: DynStore) {
    let a = clinic(&store, "alpha").await.tenant;
    let b = clinic(&store, "beta").await.tenant;
    assert_eq!(store.rollup_cursor(a).await.unwrap(), 0);
    let first = [
        inc((2026, 3, 7), Counter::LeadsCreated, 1.0),
        inc((2026, 3, 8), Counter::LeadsCreated, 1.0),
        inc((2026, 3, 8), Counter::LeadsCreated, 1.0),
        inc((2026, 3, 8), Counter::SpeedToLead(65), 1.0),
        inc((2026, 3, 9), Counter::CallCost, 0.25),
    ];
    assert!(store.apply_rollup(a, 0, 10, &first).await.unwrap());
    assert_eq!(store.rollup_cursor(a).await.unwrap(), 10);
    // A second roller that read the same facts from 0 loses and changes nothing.
    assert!(!store.apply_rollup(a, 0, 10, &first).await.unwrap());
    assert!(store.apply_rollup(a, 10, 12, &[inc((2026, 3, 9), Counter::CallCost, 0.5)]).await.unwrap());
    assert!(store.apply_rollup(b, 0, 11, &[inc((2026, 3, 8), Counter::LeadsCreated, 5.0)]).await.unwrap());

    let totals = |from, to| {
        let store = store.clone();
        async move { store.rollup_totals(a, from, to).await.unwrap() }
    };
    assert_eq!(
        totals(date(2026, 3, 8), date(2026, 3, 9)).await,
        vec![
            ("call_cost".to_string(), 0.75),
            ("leads_created".to_string(), 2.0),
            ("speed_to_lead_le_65".to_string(), 1.0)
        ]
    );
    assert_eq!(totals(date(2026, 3, 7), date(2026, 3, 7)).await, vec![("leads_created".to_string(), 1.0)]);
    assert!(totals(date(2026, 4, 1), date(2026, 4, 30)).await.is_empty());
    assert_eq!(store.rollup_cursor(b).await.unwrap(), 11, "each tenant has its own cursor");
    assert_eq!(
        store.rollup_days(a, date(2026, 3, 1), date(2026, 3, 31), "leads_created").await.unwrap(),
        vec![("2026-03-07".to_string(), 1.0), ("2026-03-08".to_string(), 2.0)]
    );

    // By exact names, and split rows by their prefix (upper-case, `_` and later keys too).
    let split = |dimension, key: &str| frontdesk_domain::analytics::Split { dimension, key: key.into() };
    let practitioner = frontdesk_domain::analytics::Dimension::Practitioner;
    let with = |counter, key: &str, value| Increment {
        split: Some(split(practitioner, key)),
        ..inc((2026, 3, 10), counter, value)
    };
    let splits = [
        with(Counter::AppointmentsNoShow, "Ana", 1.0),
        with(Counter::AppointmentsNoShow, "bruno_z", 2.0),
        with(Counter::AppointmentsShowed, "Ana", 4.0),
        Increment {
            split: Some(split(frontdesk_domain::analytics::Dimension::Unit, "u1")),
            ..inc((2026, 3, 10), Counter::AppointmentsNoShow, 3.0)
        },
    ];
    assert!(store.apply_rollup(a, 12, 13, &splits).await.unwrap());
    let march = (date(2026, 3, 1), date(2026, 3, 31));
    assert_eq!(
        store
            .rollup_totals_prefixed(a, march.0, march.1, "appointments_no_show@practitioner=")
            .await
            .unwrap(),
        vec![
            ("appointments_no_show@practitioner=Ana".to_string(), 1.0),
            ("appointments_no_show@practitioner=bruno_z".to_string(), 2.0)
        ]
    );
    assert_eq!(
        store.rollup_totals_prefixed(a, march.0, march.1, "speed_to_lead_le_").await.unwrap(),
        vec![("speed_to_lead_le_65".to_string(), 1.0)]
    );
    assert!(
        store
            .rollup_totals_prefixed(a, date(2026, 3, 11), march.1, "appointments_no_show@")
            .await
            .unwrap()
            .is_empty()
    );
    let names = vec!["leads_created".to_string(), "call_cost".to_string(), "nothing".to_string()];
    assert_eq!(
        store.rollup_totals_named(a, march.0, march.1, &names).await.unwrap(),
        vec![("call_cost".to_string(), 0.75), ("leads_created".to_string(), 3.0)]
    );
    assert!(store.rollup_totals_named(a, march.0, march.1, &[]).await.unwrap().is_empty());
    assert_eq!(
        store.rollup_totals_named(b, march.0, march.1, &names).await.unwrap(),
        vec![("leads_created".to_string(), 5.0)]
    );
}
