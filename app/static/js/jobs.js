// A job's status page: poll its JSON status, move the progress bar, reload when it ends.
// Without this file the page offers a refresh link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-status");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (status.state === "done" || status.state === "failed") {
          window.location.reload();
          return;
        }
        var percent = Math.round((status.progress || 0) * 100);
        var bar = box.querySelector("[data-job-progress]");
        if (bar) { bar.value = percent; bar.textContent = percent + " %"; }
        var message = box.querySelector("[data-job-message]");
        if (message && status.message) { message.textContent = status.message; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
