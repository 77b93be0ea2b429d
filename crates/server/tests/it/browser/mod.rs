//! The staff app driven as a person would, in Debian's headless Chromium through
//! chromedriver, one module per area of the app. The workday: sign in, see a patient's message arrive without reloading, reply, and the
//! limits (a viewer changes nothing, another clinic sees nothing, a form without its CSRF
//! token does nothing, signing out ends the session). Every main page is checked with
//! axe-core and saved as screenshots at desktop and phone width under target/screenshots/.
//!
//! Needs `chromedriver` and `chromium` on PATH and axe-core fetched by
//! `scripts/fetch-test-assets.sh`. Without them the test says so and passes, unless
//! `FRONTDESK_REQUIRE_BROWSER=1` (set by CI) makes their absence a failure.

mod booking;
mod calendar;
mod campaigns;
mod dashboard;
mod inbox_live;
mod people;
mod settings;
mod support;
mod waitlist;
mod workday;
