// The zone choosers (templates/_zones.html): where a call is heard. "all" (the whole store, or
// for an emergency the whole building) is checked by default; checking a plan, group or zone
// unchecks it, checking it unchecks the rest, and unchecking the last choice checks it again, so
// there is always a choice. A one-zone store has no chooser: every call goes everywhere.
"use strict";

document.addEventListener("change", (event) => {
  const box = event.target;
  const chooser = box.closest && box.closest(".zone-chooser");
  if (!chooser || box.type !== "checkbox") return;
  const boxes = [...chooser.querySelectorAll("input[type=checkbox]")];
  const whole = boxes.find((b) => b.value === "all");
  if (box === whole && whole.checked) {
    for (const other of boxes) if (other !== whole) other.checked = false;
  } else if (box.checked) {
    whole.checked = false;
  }
  if (!boxes.some((b) => b.checked)) whole.checked = true;
});

// What a request's "zones" carries: [] for "all" (or no chooser: every zone), else the checked
// plans', groups' and zones' ids.
function chosenZones(chooser) {
  if (!chooser) return [];
  const checked = [...chooser.querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value);
  return checked.includes("all") ? [] : checked;
}

// The chosen names as the page shows them ("一楼, 二楼"), for a confirmation; "" without a chooser.
function chosenZoneNames(chooser) {
  if (!chooser) return "";
  return [...chooser.querySelectorAll("input[type=checkbox]:checked")]
    .map((b) => b.parentElement.textContent.trim()).join(", ");
}
