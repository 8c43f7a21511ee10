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
