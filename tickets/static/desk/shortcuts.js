// Keyboard shortcuts of the staff pages; "?" lists them. Single keys can be switched off in that
// list (WCAG 2.1.4), and nothing fires while typing in a field or with a modifier key held.
(function () {
  "use strict";
  var STORAGE_KEY = "desk-shortcuts-off";

  function enabled() {
    try { return window.localStorage.getItem(STORAGE_KEY) !== "1"; } catch (error) { return true; }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function openAction(name, fieldSelector) {
    var details = document.getElementById("action-" + name);
    if (!details) { return false; }
    details.open = true;
    var field = details.querySelector(fieldSelector || "textarea, select, input:not([type=hidden])");
    if (field) { field.focus(); }
    return true;
  }

  function moveInQueue(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.ticket-link"));
    if (!links.length) { return false; }
    var index = links.indexOf(document.activeElement);
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(index + step, 0), links.length - 1);
    links[next].focus();
    return true;
  }

  function follow(rel) {
    var link = document.querySelector("a[rel='" + rel + "'][data-shortcut]");
    if (link) { window.location.assign(link.href); return true; }
    return false;
  }

  var actions = {
    "/": function () { var search = document.getElementById("id_q"); if (search) { search.focus(); return true; } return false; },
    "j": function () { return moveInQueue(1) || follow("next"); },
    "k": function () { return moveInQueue(-1) || follow("prev"); },
    "r": function () { return openAction("reply"); },
    "n": function () { return openAction("note"); },
    "a": function () { var claim = document.getElementById("action-claim"); if (claim) { claim.click(); return true; } return false; },
    "g": function () { var queue = document.querySelector("a[data-shortcut='queue']"); if (queue) { window.location.assign(queue.href); return true; } return false; }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("shortcuts-help");
    var toggle = document.getElementById("shortcuts-enabled");
    var close = document.getElementById("shortcuts-close");
    var opener = document.getElementById("shortcuts-open");
    if (!dialog) { return; }
    if (toggle) {
      toggle.checked = enabled();
      toggle.addEventListener("change", function () {
        try { window.localStorage.setItem(STORAGE_KEY, toggle.checked ? "0" : "1"); } catch (error) { /* private mode */ }
      });
    }
    // Where the focus was when the list opened: it goes back there when the list closes. A browser
    // returns it only to an element (not to the page itself), so after "?" and Escape on the page
    // the focus stayed on the closed list's checkbox, where every key counts as typing.
    var before = null;
    function openHelp() {
      before = document.activeElement;
      dialog.showModal();
    }
    dialog.addEventListener("close", function () {
      if (!dialog.contains(document.activeElement)) { return; }
      if (before && before !== document.body && document.contains(before)) { before.focus(); }
      else { document.activeElement.blur(); }
    });
    if (close) { close.addEventListener("click", function () { dialog.close(); }); }
    if (opener) { opener.addEventListener("click", openHelp); }

    document.addEventListener("keydown", function (event) {
      // A key on the closed list's checkbox (the focus not yet back on the page) is a key on the page.
      var onClosedList = !dialog.open && dialog.contains(event.target);
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
          (!onClosedList && typing(event.target))) { return; }
      if (dialog.open) { return; }
      if (event.key === "?") { openHelp(); event.preventDefault(); return; }
      if (!enabled()) { return; }
      var action = actions[event.key];
      if (action && action()) { event.preventDefault(); }
    });
  });
})();
