// Talk (push to talk): while the button is held (mouse, finger, or Space/Enter on it) or the F8
// key is held anywhere on the page, the PC's microphone is live in the zones chosen above the
// button: POST /api/v1/live when pressed, DELETE /api/v1/live/{id} when released. Letting go
// before the call is accepted still ends it. The core plays the chime first and may hold the
// call behind an emergency; the state line says when the microphone is really on air.
"use strict";
(() => {
  const card = document.getElementById("talk");
  const button = document.getElementById("talk-button");
  const state = document.getElementById("talk-state");
  if (!card || !button) return;
  let pressed = false;
  let callId = null;
  let watch = null;

  function say(text, live) {
    state.textContent = text;
    state.classList.toggle("live", Boolean(live));
    button.classList.toggle("live", Boolean(live));
  }

  async function press() {
    if (pressed) return;
    pressed = true;
    button.setAttribute("aria-pressed", "true");
    say(card.dataset.waiting, false);
    const reply = await api("POST", "/api/v1/live", {
      zones: chosenZones(document.getElementById("talk-zones")),
    });
    if (!reply.ok) {
      pressed = false;
      button.setAttribute("aria-pressed", "false");
      say(refusal(reply), false);
      return;
    }
    callId = reply.data.id;
    if (!pressed) { release(); return; }  // let go while the call was being accepted
    watch = setInterval(async () => {  // on air once the chime is over (and no emergency holds it)
      const status = await api("GET", "/api/v1/status");
      if (!status.ok || callId === null) return;
      const live = Object.values(status.data.zones || {}).some(
        (zone) => zone.voice && zone.voice.id === callId && zone.voice.live);
      if (live) say(card.dataset.live, true);
    }, 300);
  }

  async function release() {
    pressed = false;
    button.setAttribute("aria-pressed", "false");
    clearInterval(watch);
    watch = null;
    const id = callId;
    callId = null;
    say(card.dataset.idle, false);
    if (id !== null) await api("DELETE", `/api/v1/live/${id}`);
    if (window.htmx) htmx.trigger("#now", "refresh");
  }

  button.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    button.setPointerCapture(event.pointerId);
    press();
  });
  for (const name of ["pointerup", "pointercancel", "lostpointercapture"]) {
    button.addEventListener(name, () => { if (pressed) release(); });
  }
  button.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); press(); }
  });
  button.addEventListener("keyup", (event) => {
    if ((event.key === " " || event.key === "Enter") && pressed) release();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "F8" && !event.repeat) { event.preventDefault(); press(); }
  });
  document.addEventListener("keyup", (event) => {
    if (event.key === "F8" && pressed) release();
  });
  window.addEventListener("blur", () => { if (pressed) release(); });  // never left live
  // Disabled in the page until here: a press before this script ran did nothing at all.
  button.disabled = false;
})();
