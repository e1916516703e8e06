// Progressive enhancement only: the request form works without this file.
// The US-state and UK-part fields show only while their country is chosen: desk.css does it with
// :has(), without script. A browser without :has() runs this instead; with neither, both fields
// show, each saying whom it is for. A hidden field is out of the tab order and unheard.
(function () {
  if (window.CSS && CSS.supports && CSS.supports("selector(:has(*))")) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    var country = document.querySelector("form select[name=country]");
    if (!country) { return; }
    var fields = document.querySelectorAll("[data-for-country]");
    function show() {
      for (var index = 0; index < fields.length; index++) {
        fields[index].hidden = fields[index].getAttribute("data-for-country") !== country.value;
      }
    }
    country.addEventListener("change", show);
    show();
  });
})();
