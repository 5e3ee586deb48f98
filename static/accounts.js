// Accounts and sync health: confirmation prompts and the live progress bar (no inline scripts: CSP).
(function () {
  "use strict";

  // Sync settings: "sync all my personal tags" ticks and locks the per-tag boxes; unticking it frees them.
  document.addEventListener("change", function (event) {
    if (event.target.id !== "sync_all_personal_tags") { return; }
    document.querySelectorAll("[data-follows-all]").forEach(function (box) {
      box.disabled = event.target.checked;
      if (event.target.checked) { box.checked = true; }
    });
  });

  // <button data-confirm="...">: ask before submitting its form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // <div data-progress-url="..."> holding .progress-bar elements per object: poll while a run works.
  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var interval = parseInt(box.getAttribute("data-poll-ms") || "1500", 10);
    var wasActive = box.getAttribute("data-active") === "true";

    function update(data) {
      var anyActive = false;
      (data.objects || []).forEach(function (item) {
        var row = box.querySelector('[data-object="' + item.object + '"]');
        if (!row) { return; }
        var bar = row.querySelector(".progress-bar");
        var label = row.querySelector("[data-progress-label]");
        row.hidden = !item.active;
        if (item.active) { anyActive = true; }
        if (bar) {
          // Queued, or running before the total is known: a full striped bar with words, not an empty one.
          var known = item.status === "running" && item.total > 0;
          var text = known ? item.percent + "%" :
            box.getAttribute(item.status === "queued" ? "data-label-queued" : "data-label-running");
          bar.style.width = (known ? Math.max(item.percent, 3) : 100) + "%";
          bar.classList.toggle("bg-secondary", !known);
          bar.setAttribute("aria-valuenow", known ? item.percent : 0);
          bar.textContent = text;
        }
        if (label) { label.textContent = item.label || ""; }
      });
      if (anyActive) {
        wasActive = true;
        window.setTimeout(tick, interval);
      } else if (wasActive) {
        // The run just finished: show its results.
        window.location.reload();
      }
    }

    function tick() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(update)
        .catch(function () { window.setTimeout(tick, interval * 4); });
    }

    if (wasActive) { tick(); }
  }

  document.querySelectorAll("[data-progress-url]").forEach(poll);
})();
