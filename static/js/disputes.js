// Dispute pages: reasons that follow the kind, the proposal fields that follow the resolution,
// and the composer (files dropped, pasted or chosen travel with its form; Ctrl/Cmd+Enter
// sends; saved replies insert). No inline scripts (the CSP forbids them): everything hangs
// off data attributes, with listeners on the document so that workspaces swapped in by htmx
// keep working. Without JavaScript every form still posts, and the server checks everything.
(function () {
  "use strict";

  function status(zone, text, failed) {
    const list = zone.querySelector(".upload-status");
    if (!list) return;
    const item = document.createElement("li");
    item.textContent = text;
    if (failed) item.className = "failed";
    list.appendChild(item);
  }

  // Kind -> reasons: only the reasons of the chosen kind stay selectable.
  function filterReasons(kindSelect) {
    const reasonSelect = document.getElementById(kindSelect.dataset.reasonSelect);
    if (!reasonSelect) return;
    const kind = kindSelect.value;
    let firstVisible = null;
    for (const option of reasonSelect.options) {
      const fits = (option.dataset.kinds || "").split(" ").includes(kind);
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && firstVisible === null) firstVisible = option;
    }
    const current = reasonSelect.selectedOptions[0];
    if ((!current || current.disabled) && firstVisible) firstVisible.selected = true;
  }

  // Resolution -> fields: a reship has no amount, only a return has RMA and restocking.
  // Hidden fields are disabled too, so they are not sent.
  function followResolution(select) {
    const form = select.form;
    for (const field of form.querySelectorAll("[data-resolutions]")) {
      const fits = field.dataset.resolutions.split(" ").includes(select.value);
      field.hidden = !fits;
      for (const input of field.querySelectorAll("input, select, textarea")) input.disabled = !fits;
    }
  }

  // Files dropped, pasted or chosen are collected into the zone's file input, so they
  // travel with the form when it is sent (and the server answers for each one).
  function collect(zone, files) {
    const input = document.getElementById(zone.dataset.collect);
    if (!input) return;
    const transfer = new DataTransfer();
    for (const file of input.files) transfer.items.add(file);
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    listChosen(zone, input);
  }

  function listChosen(zone, input) {
    const list = zone.querySelector(".upload-status");
    if (list) list.textContent = "";
    for (const file of input.files) status(zone, file.name);
  }

  // A screenshot pasted from the clipboard arrives as "image.png"; give it a name that says
  // what it is and when it was taken.
  function pastedFile(file, index) {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
    const extension = (file.type.split("/")[1] || "bin").replace("jpeg", "jpg");
    const name = "pasted-" + stamp + (index ? "-" + index : "") + "." + extension;
    return new File([file], name, { type: file.type, lastModified: file.lastModified });
  }

  // Saved replies: the variant in the reader's language, filled on the server; placeholders
  // it could not fill stay visible and are pointed out.
  function insertSavedReply(select) {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return;
    const textarea = document.getElementById(select.dataset.target);
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const text = option.dataset.text;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.focus();
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    const warning = document.getElementById(select.dataset.warning);
    if (warning) {
      warning.hidden = !option.dataset.unfilled;
      warning.textContent = option.dataset.unfilled
        ? select.dataset.unfilledMessage + " " + option.dataset.unfilled
        : "";
    }
    select.value = "";
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("select[data-reason-select]")) filterReasons(target);
    if (target.matches("select[data-resolution-select]")) followResolution(target);
    if (target.matches("select[data-saved-replies]")) insertSavedReply(target);
    const collecting = target.closest(".dropzone[data-collect]");
    if (collecting && target.matches("input[type=file]")) listChosen(collecting, target);
  });

  document.addEventListener("paste", (event) => {
    const zone = event.target.closest && event.target.closest(".dropzone[data-collect]");
    const data = event.clipboardData;
    if (!zone || !data) return;
    const files = Array.from(data.files || []);
    if (!files.length) return; // plain text pastes as usual
    event.preventDefault();
    collect(zone, files.map(pastedFile));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const form = event.target.closest && event.target.closest("form[data-composer]");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // "Counter" opens the proposal form where it is.
  document.addEventListener("click", (event) => {
    const opener = event.target.closest && event.target.closest("[data-open-details]");
    if (!opener) return;
    const details = document.getElementById(opener.dataset.openDetails);
    if (!details) return;
    event.preventDefault();
    details.open = true;
    details.scrollIntoView({ block: "nearest" });
    const first = details.querySelector("select, input, textarea");
    if (first) first.focus();
  });

  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (event) => {
      const zone = event.target.closest && event.target.closest(".dropzone");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  document.addEventListener("dragleave", (event) => {
    const zone = event.target.closest && event.target.closest(".dropzone");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = event.target.closest && event.target.closest(".dropzone[data-collect]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) collect(zone, Array.from(files));
  });

  function init(root) {
    for (const select of root.querySelectorAll("select[data-reason-select]")) filterReasons(select);
    for (const select of root.querySelectorAll("select[data-resolution-select]")) {
      followResolution(select);
    }
  }
  // htmx swaps the workspace after every action: the new forms are set up the same way.
  document.addEventListener("htmx:load", (event) => init(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => init(document));
  } else {
    init(document);
  }
})();
