// Live updates for the staff app, without polling: one EventSource per page on
// /app/events (docs/live-updates.md). Each event becomes an "fd-live" DOM event on
// <body> whose detail is the event's data, so a page region refreshes itself with
// hx-trigger="fd-live from:body" (optionally filtered, e.g. by conversation id). The
// browser reconnects by itself and sends Last-Event-ID, so nothing is missed.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var KINDS = ["message_received", "message_sent", "message_status_changed", "message_delivered",
    "message_failed", "call_started", "call_ended", "appointment_booked", "appointment_confirmed",
    "appointment_rescheduled", "appointment_cancelled", "appointment_showed", "appointment_no_show",
    "lead_created", "lead_stage_changed", "lead_updated", "handoff_requested",
    "conversation_assigned", "opted_out"];
  var config = document.getElementById("live-config");
  var soundKey = (config && config.getAttribute("data-sound-key")) || "fd-sound";
  var audio = null;

  function soundWanted() {
    try { return window.localStorage.getItem(soundKey) === "1"; } catch (e) { return false; }
  }

  // A short generated beep (WebAudio): nothing to download, nothing to license.
  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    var osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  }

  var source = new EventSource("/app/events");
  KINDS.forEach(function (kind) {
    source.addEventListener(kind, function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { return; }
      document.body.dispatchEvent(new CustomEvent("fd-live", { detail: data }));
      if (kind === "message_received" && soundWanted()) beep();
    });
  });
  source.addEventListener("error", function () {
    // CLOSED: refused (signed out) - the browser will not retry; say so.
    if (source.readyState === EventSource.CLOSED) {
      document.querySelectorAll(".live-off").forEach(function (el) { el.hidden = false; });
    }
  });

  // The sound switch, remembered per person in this browser.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("live-sound");
    if (!box) return;
    box.checked = soundWanted();
    box.addEventListener("change", function () {
      try { window.localStorage.setItem(soundKey, box.checked ? "1" : "0"); } catch (e) { /* private mode */ }
      if (box.checked) beep();
    });
  });
})();
