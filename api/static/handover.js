// The shift handover: start a shift, save the notes, hand over, confirm (through the API).
"use strict";

const startButton = document.getElementById("start-shift");
if (startButton) {
  startButton.addEventListener("click", async () => {
    const reply = await api("POST", "/api/v1/shifts", {});
    if (reply.ok) window.location.reload();
    else document.querySelector("#no-shift .form-error").textContent = refusal(reply);
  });
}

const shiftCard = document.getElementById("shift");
const notesForm = document.getElementById("notes-form");
if (notesForm) {
  const shiftId = shiftCard.dataset.id;
  notesForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api("PATCH", `/api/v1/shifts/${shiftId}`, { notes: notesForm.elements.notes.value });
    if (!reply.ok) return showProblems(notesForm, reply);
    clearProblems(notesForm);
    document.getElementById("notes-note").textContent = notesForm.dataset.saved;
  });
  document.getElementById("hand-over").addEventListener("click", async () => {
    if (!window.confirm(notesForm.dataset.confirm)) return;
    const reply = await api("POST", `/api/v1/shifts/${shiftId}/handover`, { notes: notesForm.elements.notes.value });
    if (reply.ok) window.location.reload();
    else showProblems(notesForm, reply);
  });
}

const handOverFor = document.getElementById("hand-over-for");
if (handOverFor) {
  handOverFor.addEventListener("click", async () => {
    if (!window.confirm(handOverFor.dataset.confirm)) return;
    const reply = await api("POST", `/api/v1/shifts/${shiftCard.dataset.id}/handover`, {});
    if (reply.ok) window.location.reload();
    else document.querySelector("#notes-read .form-error").textContent = refusal(reply);
  });
}

const confirmForm = document.getElementById("confirm-form");
if (confirmForm) {
  confirmForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await api("POST", `/api/v1/shifts/${shiftCard.dataset.id}/confirm`, {
      digest: shiftCard.dataset.digest, remarks: confirmForm.elements.remarks.value,
    });
    if (reply.ok) window.location.reload();
    else showProblems(confirmForm, reply);
  });
}
