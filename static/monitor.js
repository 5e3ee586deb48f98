// The jobs page (/admin/jobs): reloads its live part every few seconds, with a pause toggle; asks before
// destructive actions. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  var live = document.getElementById("jobs-live");
  if (!live) { return; }
  var toggle = document.getElementById("jobs-refresh-toggle");
  var updated = document.getElementById("jobs-updated");
  var interval = parseInt(live.getAttribute("data-refresh-ms") || "10000", 10);
  var storageKey = "syncwizard.jobs.paused";
  var paused = false;
  var timer = null;

  try { paused = window.localStorage.getItem(storageKey) === "1"; } catch (e) { paused = false; }

  // <button data-confirm="...">: ask before submitting its form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function showTakenAt(takenAt) {
    var time = updated.querySelector("time");
    var moment = new Date(parseFloat(takenAt) * 1000);
    time.setAttribute("datetime", moment.toISOString());
    time.textContent = moment.toLocaleTimeString(document.documentElement.lang || undefined);
  }

  function showState() {
    toggle.textContent = toggle.getAttribute(paused ? "data-label-resume" : "data-label-pause");
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    updated.classList.toggle("text-warning", paused);
    live.setAttribute("data-paused", paused ? "true" : "false");
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!paused) { timer = window.setTimeout(refresh, interval); }
  }

  function refresh() {
    if (paused) { return; }
    if (document.hidden) { schedule(); return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("jobs-live");
        if (!fresh) { return Promise.reject("signed out"); }  // the session ended: the login page came back
        if (paused) { return; }
        live.innerHTML = fresh.innerHTML;
        live.setAttribute("data-taken-at", fresh.getAttribute("data-taken-at"));
        live.setAttribute("data-refreshes", String(parseInt(live.getAttribute("data-refreshes") || "0", 10) + 1));
        showTakenAt(fresh.getAttribute("data-taken-at"));
        schedule();
      })
      .catch(function () { window.clearTimeout(timer); timer = window.setTimeout(refresh, interval * 3); });
  }

  toggle.addEventListener("click", function () {
    paused = !paused;
    try { window.localStorage.setItem(storageKey, paused ? "1" : "0"); } catch (e) { /* private mode */ }
    showState();
    if (paused) { window.clearTimeout(timer); } else { refresh(); }
  });

  showTakenAt(live.getAttribute("data-taken-at"));
  showState();
  schedule();
})();
