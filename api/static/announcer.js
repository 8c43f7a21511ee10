// The announcer: queue approved scripts (to the zones chosen above them), move queued ones up or down (within their priority) or
// cancel them, start and clear an emergency (in the chosen plan or zones; each after a
// confirmation), listen to a script, and record an announcement with the microphone, listen back
// and queue it (to its chosen zones). The page's parts
// refresh on live events.
"use strict";
const note = document.getElementById("queued-note");
const queueNote = document.getElementById("queue-note");
const zhPage = document.documentElement.lang === "zh-CN";

function tell(element, text, ok) {
  element.textContent = text;
  element.classList.toggle("ok", ok);
  element.classList.toggle("error", !ok);
}

// After a move the queue is drawn again: keep the focus on the same button of the same item.
let refocus = null;
document.body.addEventListener("htmx:afterSwap", (event) => {
  if (!refocus || event.target.id !== "now") return;
  const again = document.querySelector(
    `#now .move-request[data-id="${refocus.id}"][aria-label="${refocus.label}"]`);
  if (again && !again.disabled) again.focus();
  refocus = null;
});

let queueNoteTimer = null;
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.classList.contains("queue-script")) {
    const reply = await api("POST", "/api/v1/announcements", {
      script_id: Number(button.dataset.id), zones: chosenZones(document.getElementById("queue-zones")),
    });
    note.textContent = reply.ok ? (zhPage ? "已加入队列：" : "Queued: ") + button.dataset.title : refusal(reply);
    htmx.trigger("#now", "refresh");
  } else if (button.classList.contains("move-request")) {
    button.disabled = true;
    refocus = { id: button.dataset.id, label: button.getAttribute("aria-label") };
    const reply = await api("POST", `/api/v1/queue/${button.dataset.id}/move`,
      { position: Number(button.dataset.to) });
    clearTimeout(queueNoteTimer);
    tell(queueNote, reply.ok ? (zhPage ? reply.data.message_zh : reply.data.message) : refusal(reply),
      reply.ok && !reply.data.clamped);
    queueNoteTimer = setTimeout(() => { queueNote.textContent = ""; }, 6000);
    htmx.trigger("#now", "refresh");
  } else if (button.classList.contains("cancel-request")) {
    await api("DELETE", `/api/v1/queue/${button.dataset.id}`);
    htmx.trigger("#now", "refresh");
  } else if (button.id === "emergency-start") {
    const where = document.getElementById("emergency-zones");
    const reach = chosenZoneNames(where);
    if (!window.confirm(reach ? `${button.dataset.confirm}\n${reach}` : button.dataset.confirm)) return;
    const reply = await api("POST", "/api/v1/emergency", { zones: chosenZones(where) });
    if (!reply.ok) window.alert(refusal(reply));
    htmx.trigger("#now", "refresh");
  } else if (button.id === "emergency-clear") {
    // In a zoned store: where the emergency chooser says (the whole building by default).
    const where = document.getElementById("emergency-zones");
    const reach = chosenZoneNames(where);
    if (!window.confirm(reach ? `${button.dataset.confirm}\n${reach}` : button.dataset.confirm)) return;
    const query = chosenZones(where).map((z) => `zone=${encodeURIComponent(z)}`).join("&");
    const reply = await api("DELETE", `/api/v1/emergency${query ? `?${query}` : ""}`);
    if (!reply.ok) window.alert(refusal(reply));
    htmx.trigger("#now", "refresh");
  } else if (button.classList.contains("preview-script")) {
    const audio = document.getElementById("script-audio");
    audio.src = `/api/v1/scripts/${button.dataset.id}/preview`;
    audio.classList.remove("hidden");
    audio.play().catch(() => {});
  }
});

// -- the microphone: record, stop, listen back, queue ------------------------------------------
(() => {
  const panel = document.getElementById("recorder");
  if (!panel) return;
  const words = panel.dataset;
  const start = document.getElementById("rec-start");
  const stop = document.getElementById("rec-stop");
  const send = document.getElementById("rec-send");
  const clock = document.getElementById("rec-time");
  const state = document.getElementById("rec-state");
  const audio = document.getElementById("rec-audio");
  const title = document.getElementById("rec-title");
  const result = document.getElementById("rec-note");
  const TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  let recorder = null;
  let clip = null;
  let began = 0;
  let ticker = null;

  function minutes(ms) {
    const s = Math.floor(ms / 1000);  // as the player counts
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function become(name, text) {
    panel.dataset.state = name;
    state.textContent = text;
  }

  function forget() {
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.removeAttribute("src");
    audio.classList.add("hidden");
    clip = null;
    send.disabled = true;
  }

  // A recorder's WebM carries no duration: the player says Infinity until it has read to the
  // end once, so seek far ahead, then back to the start, and show the real length.
  audio.addEventListener("loadedmetadata", () => {
    if (Number.isFinite(audio.duration)) return;
    const back = () => {
      if (!Number.isFinite(audio.duration)) return;
      audio.removeEventListener("durationchange", back);
      audio.currentTime = 0;
      clock.textContent = minutes(audio.duration * 1000);
    };
    audio.addEventListener("durationchange", back);
    audio.currentTime = 1e101;
  });

  start.addEventListener("click", async () => {
    result.textContent = "";
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      tell(result, words.unsupported, false);
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      tell(result, words.noMic + (error.message || error.name), false);
      return;
    }
    forget();
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => { if (e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      clearInterval(ticker);
      start.disabled = false;
      stop.disabled = true;
      start.querySelector(".label").textContent = words.again;
      const kind = (recorder.mimeType || type || "audio/webm");
      clip = new Blob(chunks, { type: kind });
      if (!clip.size) {
        clip = null;
        become("idle", words.idle);
        tell(result, words.empty, false);
        return;
      }
      audio.src = URL.createObjectURL(clip);
      audio.classList.remove("hidden");
      send.disabled = false;
      become("ready", words.ready);
    });
    recorder.start(250);
    began = performance.now();
    clock.textContent = "0:00";
    ticker = setInterval(() => { clock.textContent = minutes(performance.now() - began); }, 250);
    start.disabled = true;
    stop.disabled = false;
    become("recording", words.recording);
  });

  stop.addEventListener("click", () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  });
  // Disabled in the page until here: a click before this script ran did nothing at all.
  start.disabled = false;

  send.addEventListener("click", async () => {
    if (!clip) return;
    send.disabled = true;
    become("sending", words.sending);
    const form = new FormData();
    const suffix = clip.type.includes("ogg") ? "ogg" : clip.type.includes("mp4") ? "m4a" : "webm";
    form.append("file", clip, `recording.${suffix}`);
    form.append("title", title.value);
    form.append("zones", chosenZones(document.getElementById("rec-zones")).join(","));
    let reply;
    try {
      const answer = await fetch("/api/v1/announcements/recording", {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRF-Token": document.body.dataset.csrf || "" },
      });
      reply = { ok: answer.ok, status: answer.status, data: await answer.json().catch(() => null) };
    } catch (error) {
      reply = { ok: false, status: error.message, data: null };
    }
    if (reply.ok) {
      tell(result, words.queued + reply.data.title, true);
      title.value = "";
      forget();
      clock.textContent = "0:00";
      start.querySelector(".label").textContent = words.start;
      become("idle", words.idle);
      htmx.trigger("#now", "refresh");
    } else {
      tell(result, words.failed + refusal(reply), false);
      send.disabled = false;
      become("ready", words.ready);
    }
  });
})();
