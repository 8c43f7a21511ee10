// The service desk: template tabs, listening to a notice first, and sending it to the API with
// the page's CSRF token.
"use strict";
const zh = document.documentElement.lang === "zh-CN";

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tab")) other.classList.toggle("on", other === tab);
    for (const form of document.querySelectorAll("form.notice")) {
      form.classList.toggle("hidden", form.dataset.template !== tab.dataset.tab);
    }
  });
}

function notice(form) {
  const fields = {};
  for (const input of form.querySelectorAll("input[name]")) {
    if (!["bilingual", "times", "every_min"].includes(input.name) && input.value.trim()) {
      fields[input.name] = input.value.trim();
    }
  }
  return {
    template: form.dataset.template,
    fields,
    languages: form.bilingual.checked ? ["zh-CN", "en"] : ["zh-CN"],
  };
}

function clear(form) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  form.querySelector(".form-error").textContent = "";
  form.querySelector(".form-ok").textContent = "";
}

function showProblems(form, status, data) {
  const detail = (data && data.detail) || {};
  const message = (d) => (zh ? d.message_zh : d.message) || "";
  for (const [name, problem] of Object.entries(detail.fields || {})) {
    const slot = form.querySelector(`.field-error[data-for="${CSS.escape(name.replace(/^fields\./, ""))}"]`);
    if (slot) slot.textContent = message(problem);
    else form.querySelector(".form-error").textContent += message(problem) + " ";
  }
  if (!Object.keys(detail.fields || {}).length) {
    form.querySelector(".form-error").textContent = message(detail) || String(status);  // e.g. a 409
  }
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
      showProblems(form, reply.status, await reply.json().catch(() => null));
      return;
    }
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
    showProblems(form, reply.status, reply.data);
  });
}
