// Selects marked data-autosubmit send their form when changed (no inline handlers: CSP).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// The header's menu button (phones): shows or hides the menu it controls.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});

// Wide tables scroll inside their own box, never the page: each table not already in one
// is wrapped in a keyboard-reachable region named after its caption or nearest heading.
// Tables marked .cards become one card per row on a phone instead, their cells labelled
// with their column's heading.
function headingBefore(element) {
  for (let node = element; node && node !== document.body; node = node.parentElement) {
    for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      const heading = sibling.matches("h1, h2, h3, h4") ? sibling : sibling.querySelector("h1, h2, h3, h4");
      if (heading) return heading.textContent.trim();
    }
  }
  return document.title;
}

function fitTables(root) {
  const tables = root.matches && root.matches("table") ? [root] : root.querySelectorAll("main table");
  for (const table of tables) {
    if (table.classList.contains("cards")) {
      const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
      for (const row of table.querySelectorAll("tbody tr")) {
        // A row of one wide cell ("nothing matches") needs no label.
        if (row.children.length !== headings.length) continue;
        [...row.children].forEach((cell, index) => {
          if (headings[index] && !cell.hasAttribute("data-label")) cell.dataset.label = headings[index];
        });
      }
    }
    if (table.closest(".table-scroll")) continue;
    const region = document.createElement("div");
    region.className = "table-scroll";
    region.tabIndex = 0;
    region.setAttribute("role", "region");
    // The heading may already name a landmark around the table: "<heading> · table" keeps
    // every landmark's name its own.
    const caption = table.querySelector("caption");
    const name = caption ? caption.textContent : headingBefore(table);
    const word = document.body.dataset.tableWord || "table";
    region.setAttribute("aria-label", `${name.replace(/\s+/g, " ").trim()} · ${word}`);
    table.replaceWith(region);
    region.appendChild(table);
  }
}

fitTables(document);
document.addEventListener("htmx:load", (event) => fitTables(event.detail.elt));
