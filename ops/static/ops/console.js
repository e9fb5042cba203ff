// The operations console: a short chime when something new needs a person. The sound is made
// here with the Web Audio API (nothing is downloaded); the mute choice is kept in localStorage.
// Browsers let a page play sound only after the user clicked or typed on it, so the audio starts
// on the first gesture, and until then a new item shows a notice asking for one click.
(function () {
  "use strict";

  var MUTE_KEY = "ops-console-muted";
  var board = document.getElementById("ops-board");
  var toggle = document.querySelector("[data-sound-toggle]");
  var blocked = document.querySelector("[data-sound-blocked]");
  if (!board) return;

  var audio = null;
  var seen = keys();
  var chimes = 0;

  function keys() {
    var found = new Set();
    board.querySelectorAll(".ops-need[data-kind]").forEach(function (item) {
      found.add(item.dataset.kind + ":" + item.dataset.key);
    });
    return found;
  }

  function muted() {
    try {
      return localStorage.getItem(MUTE_KEY) === "1";
    } catch (error) {
      return false; // storage refused (private mode): sound stays on
    }
  }

  function showToggle() {
    if (!toggle) return;
    var off = muted();
    toggle.setAttribute("aria-pressed", off ? "true" : "false");
    toggle.textContent = off ? toggle.dataset.labelMuted : toggle.dataset.labelOn;
  }

  // Called from a click or key press: the one moment a browser lets audio start.
  function unlock() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    if (blocked) blocked.hidden = true;
  }

  function tone(start, frequency) {
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    // A quick rise and an exponential fall: a soft "ding", no click at either end.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.4);
  }

  function chime() {
    chimes += 1;
    document.body.dataset.opsChimes = String(chimes);
    if (!audio || audio.state !== "running") {
      if (blocked) blocked.hidden = false; // no gesture yet: ask for one
      return;
    }
    var now = audio.currentTime;
    tone(now, 880);
    tone(now + 0.18, 1320);
  }

  board.addEventListener("htmx:afterSwap", function () {
    var now = keys();
    var fresh = false;
    now.forEach(function (key) {
      if (!seen.has(key)) fresh = true;
    });
    seen = now;
    if (fresh && !muted()) chime();
  });

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      try {
        localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
      } catch (error) {
        /* storage refused: the toggle only lasts this page */
      }
      showToggle();
    });
    showToggle();
  }
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);
  document.body.dataset.opsChimes = "0";
})();
