// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();

// Answer keys on any question: 1-9 pick the numbered options, Enter submits from a choice.
// Study keys, as in Anki: Space reveals, 1-4 rate, Enter accepts the suggested rating,
// Ctrl+Z or U undoes, "-" buries, "@" suspends, "?" lists the keys. Typing in a field is
// left alone.
(function () {
  "use strict";
  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    var type = (target.type || "").toLowerCase();
    if (tag === "textarea" || tag === "select") { return true; }
    return tag === "input" && type !== "radio" && type !== "checkbox";
  }
  function click(selector) {
    var target = document.querySelector(selector);
    if (target) { target.click(); }
    return !!target;
  }
  function toggleHelp() {
    var help = document.getElementById("study-keys");
    if (!help) { return false; }
    help.hidden = !help.hidden;
    if (!help.hidden) { help.focus(); }
    return true;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-keys-toggle]")) { toggleHelp(); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var key = event.key;
    var study = !!document.querySelector("[data-study]");
    if (event.altKey || event.metaKey) { return; }
    if (event.ctrlKey) {
      if (study && (key === "z" || key === "Z") && !typing(target) && click("[data-key='undo']")) {
        event.preventDefault();
      }
      return;
    }
    var type = (target.type || "").toLowerCase();
    var tag = (target.tagName || "").toLowerCase();
    // Enter submits from a list or a choice too, not only from a text box.
    if (key === "Enter" && target.form && target.form.hasAttribute("data-answer-form") &&
        (tag === "select" || type === "radio" || type === "checkbox")) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (typing(target)) { return; }
    var handled = false;
    var options = document.querySelectorAll("[data-answer-form] [data-option-key]");
    var ratings = document.querySelector("[data-ratings]");
    if (ratings && ratings.closest("[hidden]")) { ratings = null; }  // the back, not shown yet
    if (/^[1-9]$/.test(key) && options.length && !ratings) {
      var option = options[Number(key) - 1];
      if (option) {
        if (option.type === "checkbox") { option.checked = !option.checked; } else { option.checked = true; }
        option.focus();
        handled = true;
      }
    } else if (study) {
      var tag2 = tag;
      if (key === "Enter" && ratings && tag2 !== "button" && tag2 !== "a" && tag2 !== "summary") {
        // With no suggestion (a revealed flashcard), Enter means Good, as in Anki.
        handled = click("[data-ratings] [data-suggested]") || click("[data-ratings] [data-rating='3']");
      } else if (key === " " || key === "Spacebar") {
        if (tag2 !== "button" && tag2 !== "a" && tag2 !== "summary") { handled = click("[data-key='space']"); }
      } else if (/^[1-4]$/.test(key) && ratings) {
        handled = click("[data-ratings] [data-rating='" + key + "']");
      } else if (key === "u" || key === "U") {
        handled = click("[data-key='undo']");
      } else if (key === "-") {
        handled = click("[data-key='bury']");
      } else if (key === "@") {
        handled = click("[data-key='suspend']");
      } else if (key === "?") {
        handled = toggleHelp();
      }
    }
    if (handled) { event.preventDefault(); }
  });
})();

// The back of a flashcard is in the page: "Show answer" shows it without asking the
// server (without this script the button asks for ?reveal=<id>).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-reveal")) { return; }
    var back = document.querySelector("[data-back]");
    var front = document.querySelector("[data-front]");
    if (!back) { return; }
    event.preventDefault();
    back.hidden = false;
    if (front) { front.hidden = true; }
    back.setAttribute("tabindex", "-1");
    back.focus();
  });
})();

// One request per answer, for flashcard ratings and quizzes alike: the form is posted
// with inline=y, and the response is the next page; its address then replaces the POST
// in the history, so reload and Back never post again (without this script:
// Post/Redirect/Get).
(function () {
  "use strict";
  document.querySelectorAll("[data-ratings], form[data-inline]").forEach(function (form) {
    var inline = document.createElement("input");
    inline.type = "hidden";
    inline.name = "inline";
    inline.value = "y";
    form.appendChild(inline);
  });
  var marker = document.querySelector("[data-study-url], [data-page-url]");
  var url = marker && (marker.getAttribute("data-study-url") || marker.getAttribute("data-page-url"));
  if (url && window.location.pathname !== url && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
})();
