// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Anonymous report: hide (and do not send) the name and phone.
  const anon = document.getElementById("anonymous");
  const who = document.querySelector(".who");
  if (anon && who) {
    const sync = () => {
      who.hidden = anon.checked;
      for (const input of who.querySelectorAll("input")) input.disabled = anon.checked;
    };
    anon.addEventListener("change", sync);
    sync();
  }
  // Characters left in a text area.
  for (const area of document.querySelectorAll("textarea[data-counter]")) {
    const out = document.getElementById(area.dataset.counter);
    const max = Number(area.getAttribute("maxlength"));
    const show = () => { out.textContent = `还可输入${max - area.value.length}字`; };
    area.addEventListener("input", show);
    show();
  }
  // Picking a month or period shows it at once.
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
