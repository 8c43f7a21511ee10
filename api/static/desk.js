// The service desk: template tabs, and sending a notice to the API with the page's CSRF token.
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

for (const form of document.querySelectorAll("form.notice")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = {};
    for (const input of form.querySelectorAll("input[name]")) {
      if (!["bilingual", "times", "every_min"].includes(input.name) && input.value.trim()) {
        fields[input.name] = input.value.trim();
      }
    }
    const body = {
      template: form.dataset.template,
      fields,
      languages: form.bilingual.checked ? ["zh-CN", "en"] : ["zh-CN"],
      times: Number(form.times.value) || undefined,
      every_min: Number(form.every_min.value) || undefined,
    };
    for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
    form.querySelector(".form-error").textContent = "";
    form.querySelector(".form-ok").textContent = "";
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
    const detail = (reply.data && reply.data.detail) || {};
    const message = (d) => (zh ? d.message_zh : d.message) || "";
    for (const [name, problem] of Object.entries(detail.fields || {})) {
      const slot = form.querySelector(`.field-error[data-for="${CSS.escape(name.replace(/^fields\./, ""))}"]`);
      if (slot) slot.textContent = message(problem);
      else form.querySelector(".form-error").textContent += message(problem) + " ";
    }
    if (!detail.fields) form.querySelector(".form-error").textContent = message(detail) || String(reply.status);
  });
}
