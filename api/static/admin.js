// The admin: add accounts, enable or disable them, make and revoke API keys (through the API).
"use strict";

document.getElementById("add-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const reply = await api("POST", "/api/v1/users", {
    name: form.elements.name.value, role: form.elements.role.value,
    password: form.elements.password.value,
  });
  if (reply.ok) window.location.reload();
  else showProblems(form, reply);
});

document.getElementById("add-key").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((box) => box.value);
  const reply = await api("POST", `/api/v1/users/${form.elements.user.value}/api-keys`, {
    name: form.elements.name.value, scopes: scopes.length ? scopes : null,
  });
  if (!reply.ok) return showProblems(form, reply);
  form.querySelector(".form-error").textContent = "";
  document.getElementById("new-key").textContent = reply.data.key;
  form.querySelector(".key-once").classList.remove("hidden");
});

const editForm = document.getElementById("edit-user");
editForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const change = { role: editForm.elements.role.value };
  if (editForm.elements.password.value) change.password = editForm.elements.password.value;
  const reply = await api("PATCH", `/api/v1/users/${editForm.elements.id.value}`, change);
  if (reply.ok) window.location.reload();  // own account changed: the reload asks for log-in
  else showProblems(editForm, reply);
});
document.getElementById("edit-close").addEventListener("click", () => editForm.classList.add("hidden"));

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.classList.contains("edit-user")) {
    editForm.elements.id.value = button.dataset.id;
    editForm.elements.role.value = button.dataset.role;
    editForm.elements.password.value = "";
    document.getElementById("edit-name").textContent = button.dataset.name;
    clearProblems(editForm);
    editForm.classList.remove("hidden");
    editForm.elements.role.focus();
  } else if (button.classList.contains("toggle-user")) {
    const reply = await api("PATCH", `/api/v1/users/${button.dataset.id}`, { active: button.dataset.active === "true" });
    if (reply.ok) window.location.reload();
    else window.alert(sayApi(reply.data && reply.data.detail));
  } else if (button.classList.contains("revoke-key")) {
    await api("DELETE", `/api/v1/api-keys/${button.dataset.id}`);
    window.location.reload();
  }
});
