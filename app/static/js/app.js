// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();

// Study keys, as in Anki: Space reveals, 1-4 rate. Typing in a field is left alone.
(function () {
  "use strict";
  if (!document.querySelector("[data-study]")) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    var type = (event.target.type || "").toLowerCase();
    // Enter submits from a list or a choice too, not only from a text box.
    if (event.key === "Enter" && event.target.form &&
        (tag === "select" || type === "radio" || type === "checkbox")) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (tag === "input" || tag === "textarea" || tag === "select") { return; }
    var target = null;
    if (event.key === " " || event.key === "Spacebar") {
      target = document.querySelector("[data-key='space']");
    } else if (/^[1-4]$/.test(event.key)) {
      target = document.querySelector("[data-ratings] [data-rating='" + event.key + "']");
    }
    if (target) {
      event.preventDefault();
      target.click();
    }
  });
})();
