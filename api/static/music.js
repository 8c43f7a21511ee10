// The supervisor's music: choose a playlist to see its tracks, make, rename, shuffle and delete
// list playlists, import an M3U, and rescan the library with its progress polled until it
// ends. Every change goes to the JSON API; user text only goes in through textContent.
"use strict";
const zhMusic = document.documentElement.lang === "zh-CN";
const muWords = JSON.parse(document.getElementById("mu-words").textContent);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
const note = document.getElementById("mu-note");
const error = document.getElementById("mu-error");
const chosen = document.getElementById("mu-playlist");

function tell(text, failed) {
  note.textContent = failed ? "" : text;
  error.textContent = failed ? text : "";
}

function refreshPlaylists() {
  const url = `/supervisor/music/playlists?playlist=${encodeURIComponent(chosen.value)}`;
  return htmx.ajax("GET", url, { target: "#mu-playlists", swap: "innerHTML" });
}

function showTracks(id) {
  chosen.value = id || "";
  for (const row of document.querySelectorAll("tr.mu-playlist")) {
    row.classList.toggle("on", row.dataset.id === String(id));
  }
  history.replaceState(null, "", id ? `/supervisor/music?playlist=${id}` : "/supervisor/music");
  htmx.trigger("#mu-search", "refresh");
}

// -- the library scan -------------------------------------------------------------------------

const scanCard = document.getElementById("mu-scan");
const bar = document.getElementById("mu-progress");
const scanState = document.getElementById("mu-scan-state");
const rescan = document.getElementById("mu-rescan");

function showJob(job) {
  const percent = Math.round(job.progress * 100);
  bar.classList.remove("hidden");
  bar.firstElementChild.style.width = `${percent}%`;
  bar.setAttribute("aria-valuenow", String(percent));
  let text;
  if (job.status === "done") text = fill(muWords.done, job);
  else if (job.status === "failed") text = muWords.failed + (job.message ? `: ${job.message}` : "");
  else if (job.status === "interrupted") text = muWords.interrupted;
  else if (job.status === "queued") text = muWords.queued;
  else if (job.phase === "loudness") text = `${muWords.loudness} ${job.measured + job.measure_failed} / ${job.to_measure} · ${percent}%`;
  else text = `${muWords.tags} ${job.scanned} / ${job.files} · ${percent}%`;
  scanState.textContent = text;
  scanState.classList.toggle("error", job.status === "failed" || job.status === "interrupted");
}

async function follow(jobId) {
  rescan.disabled = true;
  scanCard.dataset.job = jobId;
  for (;;) {
    const reply = await api("GET", `/api/v1/library/scans/${jobId}`);
    if (!reply.ok) { scanState.textContent = sayApi(reply.data && reply.data.detail) || String(reply.status); break; }
    showJob(reply.data);
    if (!["queued", "running"].includes(reply.data.status)) {
      scanCard.dataset.done = reply.data.status;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  rescan.disabled = false;
  delete scanCard.dataset.job;
  const total = await api("GET", "/api/v1/library/tracks?limit=1");
  if (total.ok) document.getElementById("mu-library").textContent = String(total.data.total);
  refreshPlaylists();
  htmx.trigger("#mu-search", "refresh");
}

rescan.addEventListener("click", async () => {
  rescan.disabled = true;
  delete scanCard.dataset.done;
  const reply = await api("POST", "/api/v1/library/scans");
  if (!reply.ok) {
    rescan.disabled = false;
    scanState.textContent = sayApi(reply.data && reply.data.detail) || String(reply.status);
    return;
  }
  showJob(reply.data);
  follow(reply.data.id);
});
if (scanCard.dataset.job) follow(scanCard.dataset.job);

// -- playlists --------------------------------------------------------------------------------

const renameForm = document.getElementById("mu-rename");

document.addEventListener("click", async (event) => {
  const show = event.target.closest("a.mu-show");
  if (show) {
    event.preventDefault();
    showTracks(show.dataset.id);
    return;
  }
  const button = event.target.closest("button");
  if (!button) return;
  if (button.classList.contains("mu-delete")) {
    if (!window.confirm(`${muWords.delete_confirm}\n${button.dataset.name}`)) return;
    const reply = await api("DELETE", `/api/v1/playlists/${button.dataset.id}`);
    if (!reply.ok) return tell(sayApi(reply.data && reply.data.detail) || String(reply.status), true);
    tell(muWords.deleted);
    if (chosen.value === button.dataset.id) showTracks("");
    refreshPlaylists();
  } else if (button.classList.contains("mu-rename")) {
    renameForm.elements.id.value = button.dataset.id;
    renameForm.elements.name.value = button.dataset.name;
    document.getElementById("mu-rename-name").textContent = button.dataset.name;
    clearProblems(renameForm);
    renameForm.classList.remove("hidden");
    renameForm.elements.name.focus();
  } else if (button.classList.contains("mu-add")) {
    const target = document.getElementById("mu-target");
    const name = target.selectedOptions[0].textContent;
    const added = await changeEntries(target.value, (entries) => [...entries, { track_id: Number(button.dataset.track), weight: 1 }]);
    if (added) tell(fill(muWords.added, { name }));
  } else if (button.classList.contains("mu-take-out")) {
    const list = document.getElementById("mu-track-table").dataset.list;
    const position = Number(button.dataset.position);
    if (await changeEntries(list, (entries) => entries.filter((_, i) => i !== position))) {
      tell(muWords.taken_out);
      htmx.trigger("#mu-search", "refresh");
    }
  } else if (button.id === "mu-rename-close") {
    renameForm.classList.add("hidden");
  }
});

// A list playlist's tracks, changed by ``change`` (its entries in order, as the API takes them).
async function changeEntries(id, change) {
  const current = await api("GET", `/api/v1/playlists/${id}`);
  if (!current.ok) return tell(sayApi(current.data && current.data.detail) || String(current.status), true);
  const entries = current.data.entries.map((e) => ({ track_id: e.track.id, weight: e.weight }));
  const reply = await api("PATCH", `/api/v1/playlists/${id}`, { tracks: change(entries) });
  if (!reply.ok) return tell(sayApi(reply.data && reply.data.detail) || String(reply.status), true);
  refreshPlaylists();
  return true;
}

document.addEventListener("change", async (event) => {
  const box = event.target;
  if (!box.classList || !box.classList.contains("mu-shuffle")) return;
  const reply = await api("PATCH", `/api/v1/playlists/${box.dataset.id}`, { shuffle: box.checked });
  if (!reply.ok) {
    box.checked = !box.checked;
    tell(sayApi(reply.data && reply.data.detail) || String(reply.status), true);
  } else {
    tell(box.checked ? muWords.shuffle_on : muWords.shuffle_off);
  }
});

renameForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const reply = await api("PATCH", `/api/v1/playlists/${renameForm.elements.id.value}`,
    { name: renameForm.elements.name.value });
  if (!reply.ok) return showProblems(renameForm, reply);
  renameForm.classList.add("hidden");
  tell(muWords.renamed);
  refreshPlaylists();
  if (chosen.value === renameForm.elements.id.value) htmx.trigger("#mu-search", "refresh");
});

document.getElementById("mu-create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const reply = await api("POST", "/api/v1/playlists", {
    name: form.elements.name.value, kind: "list", shuffle: form.elements.shuffle.checked,
  });
  if (!reply.ok) return showProblems(form, reply);
  clearProblems(form);
  form.reset();
  tell(muWords.created);
  chosen.value = String(reply.data.id);
  await refreshPlaylists();
  showTracks(reply.data.id);
});

document.getElementById("mu-import").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = document.getElementById("mu-import-result");
  const missing = document.getElementById("mu-unresolved");
  clearProblems(form);
  result.textContent = "";
  missing.replaceChildren();
  missing.classList.add("hidden");
  const file = form.elements.file.files[0];
  if (!file) return;
  if (file.size > Number(form.elements.file.dataset.max)) {  // the API says 413; spare the upload
    form.querySelector(".form-error").textContent = muWords.too_large;
    return;
  }
  const body = new FormData();
  body.append("file", file);
  if (form.elements.name.value.trim()) body.append("name", form.elements.name.value.trim());
  body.append("shuffle", form.elements.shuffle.checked ? "true" : "false");
  const reply = await fetch("/api/v1/playlists/import", {
    method: "POST", body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
  });
  const data = await reply.json().catch(() => null);
  if (!reply.ok) return showProblems(form, { ok: false, status: reply.status, data });
  result.textContent = fill(muWords.imported, { name: data.playlist.name, n: data.imported });
  if (data.unresolved.length) {
    const head = document.createElement("li");
    head.textContent = muWords.unresolved;
    head.className = "muted";
    missing.append(head);
    for (const entry of data.unresolved) {
      const item = document.createElement("li");
      item.textContent = `${fill(muWords.line, { n: entry.line })}: ${entry.text} — ${zhMusic ? entry.reason_zh : entry.reason}`;
      missing.append(item);
    }
    missing.classList.remove("hidden");
  }
  form.reset();
  chosen.value = String(data.playlist.id);
  await refreshPlaylists();
  showTracks(data.playlist.id);
});
