// A quiz attempt's countdown. The server sends the seconds left (it keeps the deadline and
// enforces it); at zero the page reloads and the server applies the quiz's rule.
(function () {
  "use strict";
  var box = document.querySelector("[data-seconds-left]");
  if (!box) { return; }
  var left = parseInt(box.getAttribute("data-seconds-left"), 10);
  if (isNaN(left)) { return; }
  var end = Date.now() + left * 1000;
  function show(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var text = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
    box.textContent = text;
  }
  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    show(seconds);
    if (seconds <= 0) {
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
