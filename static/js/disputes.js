// Dispute pages: reasons that follow the kind, and drag-and-drop evidence uploads.
// No inline scripts (the CSP forbids them): everything hangs off data attributes, with
// listeners on the document so that panels swapped in by htmx keep working.
(function () {
  "use strict";

  function csrfToken(form) {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

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

  // A zone inside the "open a dispute" form collects dropped files into its file input,
  // so they travel with the form.
  function collect(zone, files) {
    const input = document.getElementById(zone.dataset.collect);
    const transfer = new DataTransfer();
    for (const file of input.files) transfer.items.add(file);
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    const list = zone.querySelector(".upload-status");
    if (list) list.textContent = "";
    for (const file of input.files) status(zone, file.name);
  }

  // A zone on the dispute page sends each file at once, then refreshes the panel.
  async function upload(zone, files) {
    const internal = zone.querySelector("input[name=internal]");
    for (const file of files) {
      const body = new FormData();
      body.append("file", file);
      if (internal && internal.checked) body.append("internal", "on");
      status(zone, file.name + " …");
      try {
        const response = await fetch(zone.dataset.uploadUrl, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": csrfToken(zone), Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json();
        status(zone, response.ok ? file.name + " ✓" : file.name + ": " + answer.detail, !response.ok);
      } catch (error) {
        status(zone, file.name + ": " + error, true);
      }
    }
    if (window.htmx && document.getElementById("dispute")) {
      window.htmx.ajax("GET", window.location.pathname, {
        target: "#dispute",
        select: "#dispute",
        swap: "outerHTML",
      });
    }
  }

  function handleFiles(zone, files) {
    if (!files || !files.length) return;
    if (zone.dataset.uploadUrl) {
      upload(zone, Array.from(files));
    } else if (zone.dataset.collect) {
      collect(zone, Array.from(files));
    }
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("select[data-reason-select]")) filterReasons(target);
    const zone = target.closest(".dropzone[data-upload-url]");
    if (zone && target.matches("input[type=file]")) {
      handleFiles(zone, target.files);
      target.value = "";
    }
    const collecting = target.closest(".dropzone[data-collect]");
    if (collecting && target.matches("input[type=file]")) {
      const list = collecting.querySelector(".upload-status");
      if (list) list.textContent = "";
      for (const file of target.files) status(collecting, file.name);
    }
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
    const zone = event.target.closest && event.target.closest(".dropzone");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    handleFiles(zone, event.dataTransfer && event.dataTransfer.files);
  });

  function init() {
    for (const select of document.querySelectorAll("select[data-reason-select]")) {
      filterReasons(select);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
