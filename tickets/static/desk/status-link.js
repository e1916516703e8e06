// The emailed link carries its secret after "#", the fragment, which browsers never send to a
// server: no access log or proxy sees it. This script hands it to the form on the page, which
// posts it when the person presses the button (nothing is opened on a page load, so a mail
// scanner that loads links opens nothing). Without script the person pastes the link instead.
(function () {
  "use strict";
  var form = document.getElementById("status-link-form");
  if (!form) { return; }
  var field = form.elements.namedItem("link");
  var section = form.elements.namedItem("section");
  var oldLink = field && field.type === "hidden";  // /status/open/SECRET/: the page holds it
  var hash = window.location.hash.replace(/^#/, "");
  // "#SECRET", "#SECRET#satisfaction" (the answer's email), or "#satisfaction" after an old link.
  hash.split("#").forEach(function (part) {
    if (part === "satisfaction") {
      if (section) { section.value = part; }
    } else if (part && field && !oldLink && !field.value) {
      field.value = part;
    }
  });
  var paste = document.getElementById("status-link-paste");
  var ready = document.getElementById("status-link-ready");
  if (paste && ready && field && field.value) {
    paste.hidden = true;
    ready.hidden = false;
    // Changing the language reloads this page from the server, which never saw the fragment:
    // the switcher is told to come back to it, fragment and all (it travels in a POST body).
    var next = document.querySelector(".language-switcher input[name=next]");
    if (next) { next.value = window.location.pathname + window.location.hash; }
  }
  // The secret leaves the address bar and the browser's history at once.
  if (window.history && window.history.replaceState && (hash || oldLink)) {
    var clean = oldLink ? form.getAttribute("action") : window.location.pathname + window.location.search;
    window.history.replaceState(null, "", clean);
  }
}());
