//! `cargo +nightly fuzz run phone_number` (see docs/fuzzing.md); on stable, replays files.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| frontdesk_fuzz::phone_number(data));

#[cfg(not(fuzzing))]
fn main() {
    frontdesk_fuzz::replay(frontdesk_fuzz::phone_number);
}
