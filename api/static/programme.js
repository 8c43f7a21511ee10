// The supervisor's programme: rules, day types, weekdays and calendar change through the JSON
// API (app.js's api() sends the CSRF token); the page then reloads to show the new timeline.
// User text only ever goes into the page as textContent.
"use strict";
const base = "/api/v1/programme";
const rules = JSON.parse(document.getElementById("rules-data").textContent);
const form = document.getElementById("rule-form");
const FRESH = "programme-fresh-rule";

// Refusals: app.js's showProblems beside the fields ("spots.0.ref" beside "spots", "content.ref"
// beside the content picker in view), its refusal() in one line for the lists' error slots.

function reloadShowing(ruleId) {
  if (ruleId) sessionStorage.setItem(FRESH, String(ruleId));
  window.location.reload();
}

// --- the rule form: the fields of the chosen kind and content ---

function showKind() {
  const kind = form.elements.kind.value;
  const content = form.elements.content_kind.value;
  const file = content === "song" || content === "speech";
  for (const part of form.querySelectorAll("[class*='for-']")) {
    const kinds = [...part.classList].filter((c) => /^for-(fixed|offset|recurring|daypart)$/.test(c));
    const pick = [...part.classList].find((c) => c.startsWith("for-ck-"));
    let shown = kinds.length === 0 || kinds.includes(`for-${kind}`);
    if (shown && pick) shown = pick === `for-ck-${file ? "file" : content}`;
    part.classList.toggle("hidden", !shown);
  }
}
// A new fixed or offset rule speaks at its instant over the ducked bed; waiting for the song to
// end is the supervisor's explicit choice (the API's default is the same).
function cutByKind() {
  if (!form.elements.id.value) form.elements.cut.checked = ["fixed", "offset"].includes(form.elements.kind.value);
}
form.elements.kind.addEventListener("change", showKind);
form.elements.kind.addEventListener("change", cutByKind);
form.elements.content_kind.addEventListener("change", showKind);

function minutes(field) {
  const value = form.elements[field].value.trim();
  return value === "" ? 0 : Number(value);
}

function timeOrNull(field) {
  return form.elements[field].value || null;
}

let keptSpots = [];  // a rule's spots that the form has no box for (files): kept as they are

// A rule's zones ticked; a name no longer configured gets a box of its own (ticked, marked), so
// saving neither drops it silently (the rule would play everywhere) nor hides why it is refused.
function showZones(zones) {
  const picks = form.querySelector("#zone-picks");
  if (!picks) return;
  for (const gone of picks.querySelectorAll("label.gone")) gone.remove();
  const wanted = new Set(zones.map((name) => name.toLowerCase()));
  for (const box of picks.querySelectorAll("input[name=zone]")) {
    box.checked = wanted.delete(box.value.toLowerCase());
  }
  for (const name of zones.filter((n) => wanted.has(n.toLowerCase()))) {
    const label = document.createElement("label");
    label.className = "check gone";
    const box = Object.assign(document.createElement("input"), { type: "checkbox", name: "zone", value: name, checked: true });
    label.append(box, ` ${name} ?`);
    picks.insertBefore(label, picks.querySelector(".field-error"));
  }
}

function ruleBody() {
  const f = form.elements;
  const body = {
    name: f.name.value, kind: f.kind.value, enabled: f.enabled.checked, cut: f.cut.checked,
    priority: f.priority.value === "" ? 0 : Number(f.priority.value),
    day_types: [...form.querySelectorAll("input[name=day_type]:checked")].map((box) => box.value),
    valid_from: f.valid_from.value || null, valid_until: f.valid_until.value || null,
  };
  // Zones: only a store of zones has the boxes (none ticked: every zone).
  if (form.querySelector("#zone-picks")) {
    body.zones = [...form.querySelectorAll("input[name=zone]:checked")].map((box) => box.value);
  }
  if (body.kind === "fixed" || body.kind === "offset") {
    const kind = f.content_kind.value;
    const ref = kind === "script" ? f.script.value : kind === "playlist" ? f.content_playlist.value : f.file.value.trim();
    body.content = ref ? { kind, ref } : null;
  }
  if (body.kind === "fixed") body.at = timeOrNull("at");
  if (body.kind === "offset") {
    body.anchor = f.anchor.value;
    body.offset_s = Math.round(Number(f.direction.value) * minutes("offset_min") * 60);
  }
  if (body.kind === "recurring") {
    body.window_start = timeOrNull("window_start");
    body.window_end = timeOrNull("window_end");
    body.every_s = Math.round(minutes("every_min") * 60);
    body.spread_s = Math.round(minutes("spread_min") * 60);
    body.spots = [...form.querySelectorAll("input[name=spot]:checked")]
      .map((box) => ({ kind: "script", ref: box.value })).concat(keptSpots);
  }
  if (body.kind === "daypart") {
    body.start = timeOrNull("start");
    body.end = timeOrNull("end");
    body.playlist = f.playlist.value || null;
  }
  return body;
}

function shortTime(value) {
  return value ? (value.endsWith(":00") ? value.slice(0, 5) : value) : "";
}

function choose(select, value) {
  // A value the list lacks (an archived script, a removed playlist) is added so it is not lost.
  if (value && ![...select.options].some((o) => o.value === value)) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.append(option);
  }
  select.value = value || "";
}

function resetForm() {
  form.reset();
  form.elements.id.value = "";
  keptSpots = [];
  showZones([]);
  clearProblems(form);
  const title = document.getElementById("rule-form-title");
  title.textContent = title.dataset.new;
  showKind();
  cutByKind();
}

function editRule(id) {
  const rule = rules.find((r) => r.id === Number(id));
  if (!rule) return;
  resetForm();
  const f = form.elements;
  const title = document.getElementById("rule-form-title");
  title.textContent = `${title.dataset.edit} · ${rule.name}`;
  f.id.value = rule.id;
  f.name.value = rule.name;
  f.kind.value = rule.kind;
  f.enabled.checked = rule.enabled;
  f.cut.checked = rule.cut;
  f.priority.value = rule.priority;
  f.valid_from.value = rule.valid_from || "";
  f.valid_until.value = rule.valid_until || "";
  for (const box of form.querySelectorAll("input[name=day_type]")) box.checked = rule.day_types.includes(box.value);
  showZones(rule.zones || []);
  f.at.value = shortTime(rule.at);
  if (rule.anchor) f.anchor.value = rule.anchor;
  f.direction.value = rule.offset_s < 0 ? "-1" : "1";
  f.offset_min.value = Math.abs(rule.offset_s) / 60;
  f.window_start.value = shortTime(rule.window_start);
  f.window_end.value = shortTime(rule.window_end);
  f.every_min.value = rule.every_s ? rule.every_s / 60 : 15;
  f.spread_min.value = rule.spread_s / 60;
  const scripts = rule.spots.filter((s) => s.kind === "script").map((s) => s.ref);
  for (const box of form.querySelectorAll("input[name=spot]")) box.checked = scripts.includes(box.value);
  keptSpots = rule.spots.filter((s) => s.kind !== "script" || !form.querySelector(`input[name=spot][value="${CSS.escape(s.ref)}"]`));
  f.start.value = shortTime(rule.start);
  f.end.value = shortTime(rule.end);
  if (rule.playlist) choose(f.playlist, rule.playlist);
  if (rule.content) {
    f.content_kind.value = rule.content.kind;
    if (rule.content.kind === "script") choose(f.script, rule.content.ref);
    else if (rule.content.kind === "playlist") choose(f.content_playlist, rule.content.ref);
    else f.file.value = rule.content.ref;
  }
  showKind();
  form.scrollIntoView({ block: "start", behavior: "smooth" });
  f.name.focus({ preventScroll: true });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = form.elements.id.value;
  const save = document.getElementById("rule-save");
  save.disabled = true;
  const reply = id ? await api("PATCH", `${base}/rules/${id}`, ruleBody())
    : await api("POST", `${base}/rules`, ruleBody());
  save.disabled = false;
  if (reply.ok) reloadShowing(reply.data.id);
  else showProblems(form, reply);
});
document.getElementById("rule-reset").addEventListener("click", resetForm);
document.getElementById("new-rule").addEventListener("click", () => {
  resetForm();
  form.scrollIntoView({ block: "start", behavior: "smooth" });
  form.elements.name.focus({ preventScroll: true });
});

// --- the timeline: a cue or band shows its rule ---

const detail = document.getElementById("cue-detail");

function showCue(marker) {
  if (!detail) return;
  for (const on of document.querySelectorAll(".tl .picked")) on.classList.remove("picked");
  marker.classList.add("picked");
  document.getElementById("cd-time").textContent = marker.dataset.time;
  document.getElementById("cd-rule").textContent = marker.dataset.name;
  document.getElementById("cd-content").textContent = marker.dataset.content;
  document.getElementById("cd-edit").dataset.id = marker.dataset.rule;
  detail.classList.remove("hidden");
  for (const row of document.querySelectorAll("#rules tr.picked")) row.classList.remove("picked");
  const row = document.querySelector(`#rules tr[data-rule="${CSS.escape(marker.dataset.rule)}"]`);
  if (row) row.classList.add("picked");
}

// --- clicks: the timeline, the rules list, day types, calendar ---

async function change(method, path, body, errorSlot, ruleId) {
  const reply = await api(method, path, body);
  if (reply.ok) reloadShowing(ruleId);
  else document.getElementById(errorSlot).textContent = refusal(reply);
  return reply;
}

function dayTypeRow(button) {
  const row = button.closest("tr");
  const value = (name) => row.querySelector(`input[name=${name}]`).value;
  return { name: value("name"), opening: value("opening") || null, closing: value("closing") || null };
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  const c = button.classList;
  if (c.contains("cue") || c.contains("band")) showCue(button);
  else if (button.id === "cd-close") detail.classList.add("hidden");
  else if (button.id === "cd-edit" || c.contains("edit-rule")) editRule(button.dataset.id);
  else if (c.contains("toggle-rule")) {
    await change("PATCH", `${base}/rules/${button.dataset.id}`,
      { enabled: button.dataset.enabled !== "true" }, "rules-error", button.dataset.id);
  } else if (c.contains("delete-rule")) {
    if (window.confirm(`${form.dataset.confirmDelete}\n\n${button.dataset.name}`)) {
      await change("DELETE", `${base}/rules/${button.dataset.id}`, undefined, "rules-error");
    }
  } else if (c.contains("save-day-type")) {
    await change("PATCH", `${base}/day-types/${button.dataset.id}`, dayTypeRow(button), "day-types-error");
  } else if (c.contains("add-day-type")) {
    await change("POST", `${base}/day-types`, dayTypeRow(button), "day-types-error");
  } else if (c.contains("delete-day-type") || c.contains("delete-entry")) {
    if (!window.confirm(`${form.dataset.confirmOther}\n\n${button.dataset.name}`)) return;
    const path = c.contains("delete-entry") ? `calendar/${button.dataset.id}` : `day-types/${button.dataset.id}`;
    await change("DELETE", `${base}/${path}`, undefined, c.contains("delete-entry") ? "calendar-error" : "day-types-error");
  }
});

for (const select of document.querySelectorAll("select.weekday")) {
  select.addEventListener("change", async () => {
    const path = `${base}/weekdays/${select.dataset.weekday}`;
    if (select.value) await change("PUT", path, { day_type: select.value }, "day-types-error");
    else await change("DELETE", path, undefined, "day-types-error");
  });
}

const entryForm = document.getElementById("entry-form");
entryForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = entryForm.elements;
  const reply = await api("POST", `${base}/calendar`, {
    date: f.date.value || null, day_type: f.day_type.value, note: f.note.value,
  });
  if (reply.ok) reloadShowing();
  else showProblems(entryForm, reply);
});

// --- after a reload: the rule just saved, shown on the timeline ---

showKind();
const fresh = sessionStorage.getItem(FRESH);
if (fresh) {
  sessionStorage.removeItem(FRESH);
  const lane = document.querySelector(`.tl-row[data-rule="${CSS.escape(fresh)}"]`);
  const band = document.querySelector(`.band[data-rule="${CSS.escape(fresh)}"]`);
  for (const shown of [lane, band, document.querySelector(`#rules tr[data-rule="${CSS.escape(fresh)}"]`)]) {
    if (shown) shown.classList.add("fresh");
  }
  document.getElementById("timeline").scrollIntoView({ block: "start" });
}
