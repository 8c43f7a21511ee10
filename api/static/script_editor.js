// The supervisor's script editor: create and edit scripts (an approved script gets a new draft),
// listen to a version or to the words being typed, approve a draft, upload a recording,
// archive. Every change goes to the JSON API; then the list and the open script are fetched
// again. User text only ever goes into the page through textContent.
"use strict";
const seWords = JSON.parse(document.getElementById("se-words").textContent);

function refreshList() {
  htmx.trigger("#se-filters", "change");
}

function openScript(id, note) {
  const url = id ? `/supervisor/scripts/panel?id=${id}` : "/supervisor/scripts/panel";
  history.replaceState(null, "", id ? `/supervisor/scripts?id=${id}` : "/supervisor/scripts");
  return htmx.ajax("GET", url, { target: "#se-panel", swap: "innerHTML" }).then(() => {
    const slot = document.getElementById("se-note");
    if (slot && note) slot.textContent = note;
  });
}

// The form's problems cleared, and the markup problem's place hidden.
function clearEditor(form) {
  clearProblems(form);
  const where = form.querySelector(".se-where");
  if (where) { where.textContent = ""; where.classList.add("hidden"); }
}

// A markup problem names a character position ("at character 12"): show the text around it
// with that character marked, and select it in the text box.
function showWhere(form, problem) {
  const found = /character (\d+)/.exec(problem.message || "");
  const box = form.elements.text;
  const where = form.querySelector(".se-where");
  if (!found || !box || !where) return;
  const chars = Array.from(box.value.replace(/\r\n/g, "\n"));
  const at = Number(found[1]) - 1;
  if (at < 0 || at >= chars.length) return;
  const label = document.createElement("b");
  label.textContent = `${seWords.at_char}: `;
  const mark = document.createElement("mark");
  mark.textContent = chars[at];
  where.replaceChildren(label, (at > 20 ? "…" : "") + chars.slice(Math.max(0, at - 20), at).join(""),
    mark, chars.slice(at + 1, at + 21).join("") + (at + 21 < chars.length ? "…" : ""));
  where.classList.remove("hidden");
  const start = chars.slice(0, at).join("").length;  // in UTF-16 units, as the box counts
  box.focus();
  box.setSelectionRange(start, start + chars[at].length);
}

// A refusal beside the fields (app.js's showProblems), with the markup problem's place shown.
function editorProblems(form, reply) {
  clearEditor(form);
  for (const [name, problem] of showProblems(form, reply)) {
    if (name === "text") showWhere(form, problem);
  }
}

function content(form) {
  const body = {
    title: form.elements.title.value, category: form.elements.category.value,
    language: form.elements.language.value, text: form.elements.text.value,
    valid_from: form.elements.valid_from.value || null,
    valid_until: form.elements.valid_until.value || null,
  };
  if (form.elements.code) body.code = form.elements.code.value.trim() || null;
  return body;
}

// Audio from the API into the page's player; a refusal's message (with the markup problem's
// position, when there is one) shown instead.
async function listen(url, init, form) {
  const error = document.getElementById("se-listen-error");
  const audio = document.getElementById("se-audio");
  error.textContent = seWords.rendering;
  error.classList.add("muted");
  const reply = await fetch(url, { credentials: "same-origin", ...init });
  error.classList.remove("muted");
  if (!reply.ok) {
    const data = await reply.json().catch(() => null);
    const detail = (data && data.detail) || {};
    const problem = (detail.fields && detail.fields.text) || null;
    error.textContent = sayApi(problem || detail) || String(reply.status);
    if (problem && form) showWhere(form, problem);
    return;
  }
  error.textContent = "";
  if (audio.dataset.url) URL.revokeObjectURL(audio.dataset.url);
  audio.dataset.url = URL.createObjectURL(await reply.blob());
  audio.src = audio.dataset.url;
  audio.play().catch(() => {});
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.id === "se-new" || form.id === "se-edit") {
    event.preventDefault();
    const editing = form.id === "se-edit";
    const reply = editing
      ? await api("PATCH", `/api/v1/scripts/${form.dataset.id}`, content(form))
      : await api("POST", "/api/v1/scripts", content(form));
    if (!reply.ok) return editorProblems(form, reply);
    refreshList();
    openScript(reply.data.id, editing ? seWords.saved : seWords.created);
  } else if (form.id === "se-upload") {
    event.preventDefault();
    const slot = form.querySelector(".form-error");
    const file = form.elements.file.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    slot.textContent = seWords.uploading;
    const reply = await fetch(`/api/v1/scripts/${form.dataset.id}/recording`, {
      method: "PUT", body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
    });
    const data = await reply.json().catch(() => null);
    if (!reply.ok) {
      slot.textContent = refusal({ ok: false, status: reply.status, data });
      return;
    }
    refreshList();
    openScript(form.dataset.id, seWords.uploaded);
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.classList.contains("se-listen")) {
    listen(`/api/v1/scripts/${button.dataset.id}/preview?version=${button.dataset.version}`);
  } else if (button.classList.contains("se-try")) {
    const form = button.closest("form");
    clearEditor(form);
    listen("/api/v1/scripts/preview", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: form.elements.text.value, language: form.elements.language.value }),
    }, form);
  } else if (button.classList.contains("se-approve")) {
    if (!window.confirm(seWords.approve_confirm)) return;
    const reply = await api("POST", `/api/v1/scripts/${button.dataset.id}/approve`,
      { version: Number(button.dataset.version) });
    if (!reply.ok) {
      document.getElementById("se-listen-error").textContent = sayApi(reply.data && reply.data.detail);
      return;
    }
    refreshList();
    openScript(button.dataset.id, seWords.approved);
  } else if (button.id === "se-archive") {
    if (!window.confirm(seWords.archive_confirm)) return;
    const reply = await api("DELETE", `/api/v1/scripts/${button.dataset.id}`);
    if (!reply.ok) {
      document.getElementById("se-archive-error").textContent =
        sayApi(reply.data && reply.data.detail) || String(reply.status);
      return;
    }
    refreshList();
    history.replaceState(null, "", "/supervisor/scripts");
    document.getElementById("se-panel").replaceChildren();
    const done = document.createElement("p");
    done.className = "ok sv-empty";
    done.textContent = seWords.archived;
    document.getElementById("se-panel").append(done);
  }
});
