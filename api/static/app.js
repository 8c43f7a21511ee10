// Shared by every page: log-out, and the CSRF token for the page's own JSON calls.
"use strict";
const csrf = document.body.dataset.csrf || "";

async function api(method, path, body) {
  const reply = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = reply.status === 204 ? null : await reply.json().catch(() => null);
  return { ok: reply.ok, status: reply.status, data };
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await api("POST", "/api/v1/logout");
    window.location = "/login";
  });
}

// -- the API's refusals, shown in the page's forms ------------------------------------------------
// A refusal's body: {"detail": {"code", "message", "message_zh", "fields": {NAME: {"message",
// "message_zh"}}}}; "reply" below is what api() returns ({ok, status, data}). Messages only go into
// the page through textContent.

// A message (a refusal's detail, or one field's problem) in the page's language; "" if none.
function sayApi(detail) {
  if (!detail || typeof detail !== "object") return "";
  return (document.documentElement.lang === "zh-CN" ? detail.message_zh : detail.message) || "";
}

// Empties the form's problem slots: each field's (.field-error) and the whole form's (.form-error).
function clearProblems(form) {
  for (const slot of form.querySelectorAll(".field-error, .form-error")) slot.textContent = "";
}

// Shows a refusal in the form: each field's problem in its slot, .field-error[data-for=NAME], tried
// as NAME, as NAME without a leading "fields." (the desk's template fields) and as NAME's first
// dotted part ("spots.0.ref" beside "spots"), a visible slot first; a field without a slot, or a
// refusal without fields (a 409, 404, 413), in the form's .form-error. Returns the [name, problem]
// pairs, for a caller that does more with them.
function showProblems(form, reply) {
  clearProblems(form);
  const detail = (reply.data && reply.data.detail) || {};
  const fields = Object.entries(detail.fields || {});
  const general = form.querySelector(".form-error");
  if (!fields.length && general) general.textContent = sayApi(detail) || String(reply.status);
  for (const [name, problem] of fields) {
    const names = [name, name.replace(/^fields\./, ""), name.split(".")[0]];
    const slots = names.flatMap((n) => [...form.querySelectorAll(`.field-error[data-for="${CSS.escape(n)}"]`)]);
    const slot = slots.find((s) => s.offsetParent !== null) || slots[0] || general;
    if (slot) slot.textContent += sayApi(problem) + " ";  // two problems for one slot both show
  }
  const first = [...form.querySelectorAll(".field-error, .form-error")].find((s) => s.textContent);
  if (first) first.scrollIntoView({ block: "nearest" });
  return fields;
}

// A refusal in one line: its message, then each field's; the HTTP status if it says nothing.
function refusal(reply) {
  const detail = (reply.data && reply.data.detail) || {};
  const parts = [sayApi(detail), ...Object.values(detail.fields || {}).map(sayApi)];
  return parts.filter(Boolean).join(" ") || String(reply.status);
}
