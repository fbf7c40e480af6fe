// Selects marked data-autosubmit send their form when changed (no inline handlers: CSP).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
