// Setup wizard: copy buttons and the progress bar width (no inline scripts or styles: CSP).
(function () {
  "use strict";
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "position-absolute top-0 start-0 opacity-0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
      resolve();
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    copyText(input.value).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied-label") || label;
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
    });
  });
  // Step 2: the redirect URI shown (and copied) follows the callback form chosen, before it is saved.
  document.addEventListener("change", function (event) {
    var choice = event.target.closest(".callback-choice");
    var target = document.getElementById("redirect-value");
    if (choice && choice.checked && target) {
      target.value = choice.getAttribute("data-redirect");
    }
  });
  // Step 4: choosing the client_secret file sends it (and Google checks it) at once; one action, not two.
  document.addEventListener("change", function (event) {
    if (event.target.id === "client_file" && event.target.files.length) {
      event.target.form.requestSubmit();
    }
  });
  document.querySelectorAll(".progress-bar[data-progress]").forEach(function (bar) {
    bar.style.width = bar.getAttribute("data-progress") + "%";
  });
})();
