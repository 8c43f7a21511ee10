// The announcer: queue approved scripts, cancel queued ones, start and clear an emergency
// (each after a confirmation), listen to a script; the page's parts refresh on live events.
"use strict";
const note = document.getElementById("queued-note");
const zhPage = document.documentElement.lang === "zh-CN";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.classList.contains("queue-script")) {
    const reply = await api("POST", "/api/v1/announcements", { script_id: Number(button.dataset.id) });
    note.textContent = reply.ok ? (zhPage ? "已加入队列：" : "Queued: ") + button.dataset.title
      : ((reply.data && reply.data.detail && (zhPage ? reply.data.detail.message_zh : reply.data.detail.message)) || reply.status);
    htmx.trigger("#now", "refresh");
  } else if (button.classList.contains("cancel-request")) {
    await api("DELETE", `/api/v1/queue/${button.dataset.id}`);
    htmx.trigger("#now", "refresh");
  } else if (button.id === "emergency-start" && window.confirm(button.dataset.confirm)) {
    await api("POST", "/api/v1/emergency", {});
    htmx.trigger("#now", "refresh");
  } else if (button.id === "emergency-clear" && window.confirm(button.dataset.confirm)) {
    await api("DELETE", "/api/v1/emergency");
    htmx.trigger("#now", "refresh");
  } else if (button.classList.contains("preview-script")) {
    const audio = document.getElementById("script-audio");
    audio.src = `/api/v1/scripts/${button.dataset.id}/preview`;
    audio.classList.remove("hidden");
    audio.play().catch(() => {});
  }
});
