//! `frontdesk simulate`: a small clinic run through the real engine; the funnel adds up and
//! the same seed gives the same figures.

use frontdesk_server::simulate::report::{Arm, Funnel};
use frontdesk_server::simulate::{Options, Report, simulate};
use frontdesk_test_support::{Backend, backend_tests, fresh_store};

fn options(seed: u64) -> Options {
    Options { days: 2, leads_per_day: 15, seed, start: jiff::civil::date(2026, 6, 1), progress: false }
}

async fn run(backend: Backend, seed: u64) -> Report {
    let (store, _dir) = fresh_store(backend).await.expect("a store");
    simulate(store, &options(seed)).await.expect("the simulation runs")
}

fn check_arm(arm: &Arm) {
    let f: &Funnel = &arm.funnel;
    assert_eq!(f.leads, 30, "{f:?}");
    assert!(f.adds_up(), "{f:?}");
    // Something happened at every stage a two-day run can reach.
    assert!(f.reached > 15 && f.replied > 3 && f.booked > 0, "{f:?}");
    assert_eq!(f.booked, f.showed + f.no_show + f.cancelled + f.upcoming);
    let a = &arm.appointments;
    assert!(a.booked >= f.booked, "{a:?} {f:?}");
    assert_eq!(a.booked, a.showed + a.no_show + a.cancelled + a.upcoming, "{a:?}");
    // Speed to lead is measured for every lead that was reached.
    assert!(arm.speed_to_lead.measured >= f.reached, "{:?}", arm.speed_to_lead);
    assert!(arm.speed_to_lead.median_seconds.is_some_and(|s| s >= 0));
    assert!(arm.slots_refilled.is_some());
}

/// The figures without the wall-clock ones.
fn figures(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("throughput");
    v
}

async fn the_funnel_adds_up_and_the_same_seed_gives_the_same_figures(backend: Backend) {
    let first = run(backend, 7).await;
    check_arm(&first.with_confirmations);
    check_arm(&first.without_confirmations);
    assert!(first.with_confirmations.risk_confirmations && !first.without_confirmations.risk_confirmations);
    // The arms see the same leads.
    assert_eq!(first.with_confirmations.funnel.leads, first.without_confirmations.funnel.leads);
    assert!(first.throughput.jobs > 100 && first.throughput.events > first.throughput.jobs);

    let again = run(backend, 7).await;
    assert_eq!(figures(&first), figures(&again));
    let other = run(backend, 8).await;
    assert_ne!(figures(&first), figures(&other), "another seed, other patients");
}

backend_tests!(raw: the_funnel_adds_up_and_the_same_seed_gives_the_same_figures);

#[test]
fn the_command_prints_the_figures_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/sim.db?mode=rwc", dir.path().display());
    let args = ["simulate", "--days", "1", "--leads-per-day", "5", "--seed", "3", "--database-url", &db];
    let (ok, out, err) = frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), &db, &args);
    assert!(ok, "{err}");
    for line in
        ["funnel (leads)", "speed to lead", "no-show rate", "slots refilled by the waitlist", "events/s"]
    {
        assert!(out.contains(line), "{line:?} missing from:\n{out}");
    }
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (ok, out, err) =
        frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), &db, &json_args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on standard output");
    assert_eq!(v["with_confirmations"]["funnel"]["leads"], 5);
    assert_eq!(v["without_confirmations"]["funnel"]["leads"], 5);
    let (ok, _, err) = frontdesk_test_support::run_frontdesk(
        env!("CARGO_BIN_EXE_frontdesk"),
        &db,
        &["simulate", "--days", "0"],
    );
    assert!(!ok && err.contains("days"), "{err}");
}
