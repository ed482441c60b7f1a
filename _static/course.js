// Keyboard use (_ext/course_theme.py): the header's launch and download menus, which open on hover,
// also open while the keyboard focus is on their button or in them, so Tab goes on into their links.
document.addEventListener("focusin", (event) => {
  for (const dropdown of document.querySelectorAll(".bd-header-article .dropdown")) {
    const inside = dropdown.contains(event.target) && dropdown.querySelector(":focus-visible") !== null;
    dropdown.querySelector(".dropdown-menu")?.classList.toggle("show", inside);
  }
});
