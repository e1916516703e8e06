// Progressive enhancement only: every page works without this file.
// Moves focus to an error summary so keyboard and screen-reader users hear what went wrong.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
});

// A form without an action is sent to this page's address, fragment and all: after the skip link
// (#main) the answer would open at #main, and the browser's move to it would take the focus back
// from the error summary. The form is sent to the address without its fragment.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && !form.getAttribute("action") && window.location.hash) {
    form.setAttribute("action", window.location.pathname + window.location.search);
  }
});

// The queue refreshes itself (htmx, every minute): its new count is said once, when it changed,
// in a small live region, rather than the whole table being read out again.
document.addEventListener("DOMContentLoaded", function () {
  var rows = document.getElementById("queue-rows");
  var count = rows ? rows.querySelector("[data-count]") : null;
  if (count) { rows.setAttribute("data-announced", count.textContent.trim()); }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var rows = event.target;
  var announcement = document.getElementById("queue-announcement");
  var count = rows && rows.id === "queue-rows" ? rows.querySelector("[data-count]") : null;
  if (!announcement || !count) { return; }
  var text = count.textContent.trim();
  if (rows.getAttribute("data-announced") !== text) {
    rows.setAttribute("data-announced", text);
    announcement.textContent = text;
  }
});
