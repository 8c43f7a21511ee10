// The service desk: template tabs, listening to a notice first, and sending it (to the zones
// chosen in its form: zones.js) to the API with the page's CSRF token.
"use strict";
const zh = document.documentElement.lang === "zh-CN";

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tab")) other.classList.toggle("on", other === tab);
    for (const form of document.querySelectorAll("form.notice")) {
      form.classList.toggle("hidden", form.dataset.template !== tab.dataset.tab);
    }
  });
  // Disabled in the page until here: a click before this script ran did nothing at all.
  tab.disabled = false;
}

function notice(form) {
  const fields = {};
  for (const input of form.querySelectorAll("input[name]")) {
    if (!["bilingual", "times", "every_min", "on_behalf_of"].includes(input.name) && input.value.trim()) {
      fields[input.name] = input.value.trim();
    }
  }
  return {
    template: form.dataset.template,
    fields,
    languages: form.bilingual.checked ? ["zh-CN", "en"] : ["zh-CN"],
  };
}

// Empties the form's problems and its "sent" note.
function clear(form) {
  clearProblems(form);
  form.querySelector(".form-ok").textContent = "";
}

for (const form of document.querySelectorAll("form.notice")) {
  form.querySelector(".listen-button").addEventListener("click", async () => {
    clear(form);
    const reply = await fetch("/api/v1/pages/preview", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(notice(form)),
      credentials: "same-origin",
    });
    if (!reply.ok) {
      showProblems(form, { ok: false, status: reply.status, data: await reply.json().catch(() => null) });
      return;
    }
    // What the voice will read, as the server rendered it (an emoji-only name would be refused).
    const said = form.querySelector(".will-read");
    said.textContent = `${said.dataset.label} ${decodeURIComponent(reply.headers.get("X-Notice-Text") || "")}`;
    said.classList.remove("hidden");
    const audio = form.querySelector("audio");
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(await reply.blob());
    audio.play().catch(() => {});  // no speakers (or autoplay refused): the controls remain
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      ...notice(form),
      times: Number(form.times.value) || undefined,
      every_min: Number(form.every_min.value) || undefined,
      on_behalf_of: form.on_behalf_of.value.trim() || undefined,
      zones: chosenZones(form.querySelector(".zone-chooser")),
    };
    clear(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const reply = await api("POST", "/api/v1/pages", body);
    button.disabled = false;
    if (reply.ok) {
      form.reset();
      form.querySelector(".form-ok").textContent = zh ? "已提交，即将播出。" : "Sent: it goes on air in a moment.";
      htmx.trigger("#pages", "refresh");
      return;
    }
    showProblems(form, reply);
  });
}

// Found / cancel: one listener on the page, not on the buttons, so a tap that lands while the
// live list is being redrawn (a notice starting to play redraws it) still counts.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.page-end");
  if (!button) return;
  button.disabled = true;
  const body = button.dataset.letFinish ? { let_finish: true } : undefined;
  const reply = await api("POST", `/api/v1/pages/${button.dataset.id}/${button.dataset.end}`, body);
  if (!reply.ok) window.alert(refusal(reply));
  htmx.trigger("#pages", "refresh");
});
