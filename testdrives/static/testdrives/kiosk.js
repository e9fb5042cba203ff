// The kiosk's camera: shown while the booking waits for a face check, it takes a short burst of
// frames (the customer turns their head or blinks meanwhile) and posts them. Without JavaScript
// the status page offers a plain file input instead.
(function () {
  "use strict";
  const camera = document.getElementById("face-camera");
  if (!camera || !navigator.mediaDevices) return;
  const video = camera.querySelector("video");
  const button = camera.querySelector("[data-capture]");
  const FRAMES = 5;
  const GAP_MS = 250;
  let stream = null;

  function bookingState() {
    const status = document.querySelector("#kiosk-status [data-state]");
    return status ? status.dataset.state : "";
  }

  async function start() {
    if (stream) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 640, height: 480 } });
      video.srcObject = stream;
      await video.play();
    } catch (error) {
      camera.querySelector("[data-camera-error]").hidden = false;
      button.hidden = true;
    }
  }

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  // While the worker decides (a few hundred ms), ask for the status with ?wait=decision: the
  // server answers as soon as the decision commits (or after ~1.5 s, still verifying), so the
  // customer sees it at once rather than at the page's next 2 s poll. One such request at a
  // time, and for DECISION_WAIT_FOR_MS at most, so a stalled decision falls back to the poll.
  const DECISION_WAIT_FOR_MS = 10000;
  let verifyingSince = null;
  let waiting = false;

  function waitForDecision() {
    if (bookingState() !== "verifying") {
      verifyingSince = null;
      return;
    }
    verifyingSince = verifyingSince || Date.now();
    if (!window.htmx || waiting || Date.now() - verifyingSince >= DECISION_WAIT_FOR_MS) return;
    const region = document.getElementById("kiosk-status");
    const url = new URL(region.getAttribute("hx-get"), window.location.href);
    url.searchParams.set("wait", "decision");
    waiting = true;
    htmx
      .ajax("GET", url.pathname + url.search, { target: "#kiosk-status", swap: "innerHTML" })
      .finally(() => {
        waiting = false;
        setTimeout(waitForDecision, 100); // not a tight loop when the network fails
      });
  }

  function sync() {
    waitForDecision();
    const wanted = bookingState() === "checked_in" && camera.dataset.faceReady === "yes";
    camera.hidden = !wanted;
    if (wanted) start(); else stop();
  }

  function frame() {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  button.addEventListener("click", async () => {
    button.disabled = true; // one burst per press: a double tap makes one attempt
    const form = new FormData();
    form.append("csrfmiddlewaretoken", camera.dataset.csrf);
    form.append("request_key", uuid4());
    for (let i = 0; i < FRAMES; i += 1) {
      form.append("frames", await frame(), `frame-${i}.jpg`);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    try {
      await fetch(camera.dataset.url, { method: "POST", body: form, credentials: "same-origin", headers: { "HX-Request": "true" } });
    } finally {
      button.disabled = false;
      if (window.htmx) htmx.trigger("#kiosk-status", "refresh");
    }
  });

  document.body.addEventListener("htmx:afterSwap", sync);
  sync();
})();
