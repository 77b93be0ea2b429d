//! The simulation's figures: the funnel (each lead in exactly one final stage), speed to
//! lead, no-show rates of the two arms, and throughput; printed as text or JSON.

use serde::Serialize;
use std::io::Write;

/// Where a lead ended: exactly one of these per lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    NotReached,
    /// A message reached the patient; no answer.
    Reached,
    /// The patient wrote, but nothing was booked.
    Replied,
    Showed,
    NoShow,
    Cancelled,
    /// Booked, and the appointment is still ahead when the simulation ends.
    Upcoming,
}

/// How many leads ended in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub leads: u64,
    pub reached: u64,
    pub replied: u64,
    pub booked: u64,
    pub showed: u64,
    pub no_show: u64,
    pub cancelled: u64,
    pub upcoming: u64,
}

impl Funnel {
    /// Counts one lead at its final stage, and at every stage before it.
    pub fn add(&mut self, stage: Stage) {
        self.leads += 1;
        if stage == Stage::NotReached {
            return;
        }
        self.reached += 1;
        if stage == Stage::Reached {
            return;
        }
        self.replied += 1;
        match stage {
            Stage::Showed => self.showed += 1,
            Stage::NoShow => self.no_show += 1,
            Stage::Cancelled => self.cancelled += 1,
            Stage::Upcoming => self.upcoming += 1,
            Stage::NotReached | Stage::Reached | Stage::Replied => return,
        }
        self.booked += 1;
    }

    /// Every stage holds at most what the one before it holds, and a booking ends in
    /// exactly one of its outcomes.
    pub fn adds_up(&self) -> bool {
        self.leads >= self.reached
            && self.reached >= self.replied
            && self.replied >= self.booked
            && self.booked == self.showed + self.no_show + self.cancelled + self.upcoming
    }

    /// Missed among the booked leads whose appointment came: no-show / (showed + no-show).
    pub fn no_show_rate(&self) -> Option<f64> {
        let came_due = self.showed + self.no_show;
        (came_due > 0).then(|| self.no_show as f64 / came_due as f64)
    }
}

/// Appointments (a lead may book more than once, e.g. again after a no-show).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Appointments {
    pub booked: u64,
    pub showed: u64,
    pub no_show: u64,
    pub cancelled: u64,
    pub upcoming: u64,
    /// Confirmation requests the risk check sent.
    pub risk_confirmation_requests: u64,
}

impl Appointments {
    pub fn no_show_rate(&self) -> Option<f64> {
        let came_due = self.showed + self.no_show;
        (came_due > 0).then(|| self.no_show as f64 / came_due as f64)
    }
}

/// Median and 90th percentile (nearest rank), in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SpeedToLead {
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub measured: u64,
}

impl SpeedToLead {
    pub fn of(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        let rank = |q: f64| -> Option<i64> {
            if seconds.is_empty() {
                return None;
            }
            let i = ((q * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len()) - 1;
            Some(seconds[i])
        };
        Self { median_seconds: rank(0.5), p90_seconds: rank(0.9), measured: seconds.len() as u64 }
    }
}

/// One run of the clinic: with or without the risk-based confirmation requests.
#[derive(Debug, Clone, Serialize)]
pub struct Arm {
    pub risk_confirmations: bool,
    pub funnel: Funnel,
    pub appointments: Appointments,
    pub speed_to_lead: SpeedToLead,
    /// Conversations the dialogue handed to staff (nobody answers them in the simulation).
    pub handed_to_staff: u64,
    /// Freed slots a waitlist filled again; `None` until the waitlist exists.
    pub slots_refilled: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Leads taken in, patient messages taken in, check-ins, and jobs run.
    pub events: u64,
    pub jobs: u64,
    pub wall_seconds: f64,
    pub events_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub seed: u64,
    pub days: u32,
    pub leads_per_day: u32,
    pub start: String,
    pub backend: String,
    pub with_confirmations: Arm,
    pub without_confirmations: Arm,
    pub throughput: Throughput,
}

fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "n/a".into(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3600 => format!("{:.1} min", s as f64 / 60.0),
        Some(s) => format!("{:.1} h", s as f64 / 3600.0),
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".into(), |r| format!("{:.1}%", r * 100.0))
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 { "".into() } else { format!("({:.1}%)", part as f64 * 100.0 / whole as f64) }
}

impl Report {
    pub fn write_text(&self, out: &mut impl Write) -> std::io::Result<()> {
        let (a, b) = (&self.with_confirmations, &self.without_confirmations);
        writeln!(
            out,
            "simulated {} days x {} leads/day from {} (seed {}, {})",
            self.days, self.leads_per_day, self.start, self.seed, self.backend
        )?;
        writeln!(out, "\nfunnel (leads)           with confirmations+waitlist  without")?;
        let f = |name: &str, x: u64, y: u64, of_x: u64, of_y: u64| {
            format!("  {name:<22} {x:>7} {:<17} {y:>7} {}", share(x, of_x), share(y, of_y))
        };
        let (fa, fb) = (&a.funnel, &b.funnel);
        writeln!(out, "{}", f("leads", fa.leads, fb.leads, 0, 0))?;
        writeln!(out, "{}", f("reached", fa.reached, fb.reached, fa.leads, fb.leads))?;
        writeln!(out, "{}", f("replied", fa.replied, fb.replied, fa.reached, fb.reached))?;
        writeln!(out, "{}", f("booked", fa.booked, fb.booked, fa.replied, fb.replied))?;
        writeln!(out, "{}", f("  showed", fa.showed, fb.showed, fa.booked, fb.booked))?;
        writeln!(out, "{}", f("  no-show", fa.no_show, fb.no_show, fa.booked, fb.booked))?;
        writeln!(out, "{}", f("  cancelled", fa.cancelled, fb.cancelled, fa.booked, fb.booked))?;
        writeln!(out, "{}", f("  still upcoming", fa.upcoming, fb.upcoming, fa.booked, fb.booked))?;
        writeln!(out, "{}", f("handed to staff", a.handed_to_staff, b.handed_to_staff, 0, 0))?;
        let s = &a.speed_to_lead;
        writeln!(
            out,
            "\nspeed to lead (first message or call): median {}, p90 {} ({} leads)",
            duration(s.median_seconds),
            duration(s.p90_seconds),
            s.measured
        )?;
        let (pa, pb) = (&a.appointments, &b.appointments);
        writeln!(out, "\nappointments             with confirmations+waitlist  without")?;
        writeln!(out, "  {:<22} {:>7} {:<17} {:>7}", "booked", pa.booked, "", pb.booked)?;
        writeln!(out, "  {:<22} {:>7} {:<17} {:>7}", "showed", pa.showed, "", pb.showed)?;
        writeln!(out, "  {:<22} {:>7} {:<17} {:>7}", "no-show", pa.no_show, "", pb.no_show)?;
        writeln!(out, "  {:<22} {:>7} {:<17} {:>7}", "cancelled", pa.cancelled, "", pb.cancelled)?;
        writeln!(
            out,
            "  {:<22} {:>7} {:<17} {:>7}",
            "confirmation requests", pa.risk_confirmation_requests, "", pb.risk_confirmation_requests
        )?;
        writeln!(
            out,
            "  {:<22} {:>7} {:<17} {:>7}",
            "no-show rate",
            percent(pa.no_show_rate()),
            "",
            percent(pb.no_show_rate())
        )?;
        let refilled = |x: Option<u64>| x.map_or_else(|| "n/a".to_owned(), |n| n.to_string());
        writeln!(
            out,
            "\nslots refilled by the waitlist: {} (with) / {} (without: no waitlist)",
            refilled(a.slots_refilled),
            refilled(b.slots_refilled)
        )?;
        let t = &self.throughput;
        writeln!(
            out,
            "throughput: {} events ({} jobs) in {:.1} s wall time, {:.0} events/s",
            t.events, t.jobs, t.wall_seconds, t.events_per_second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lead_counts_at_its_stage_and_every_stage_before() {
        let mut f = Funnel::default();
        for stage in [
            Stage::NotReached,
            Stage::Reached,
            Stage::Replied,
            Stage::Showed,
            Stage::NoShow,
            Stage::NoShow,
            Stage::Cancelled,
            Stage::Upcoming,
        ] {
            f.add(stage);
        }
        assert_eq!(
            f,
            Funnel {
                leads: 8,
                reached: 7,
                replied: 6,
                booked: 5,
                showed: 1,
                no_show: 2,
                cancelled: 1,
                upcoming: 1
            }
        );
        assert!(f.adds_up());
        assert_eq!(f.no_show_rate(), Some(2.0 / 3.0));
        let broken = Funnel { showed: 2, ..f };
        assert!(!broken.adds_up());
        assert_eq!(Funnel::default().no_show_rate(), None);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let s = SpeedToLead::of((1..=10).rev().collect());
        assert_eq!((s.median_seconds, s.p90_seconds, s.measured), (Some(5), Some(9), 10));
        assert_eq!(SpeedToLead::of(vec![]).median_seconds, None);
        assert_eq!(SpeedToLead::of(vec![42]).p90_seconds, Some(42));
    }

    #[test]
    fn durations_read_in_their_unit() {
        assert_eq!(duration(Some(12)), "12 s");
        assert_eq!(duration(Some(90)), "1.5 min");
        assert_eq!(duration(Some(5400)), "1.5 h");
        assert_eq!(duration(None), "n/a");
    }
}
