// The product's own scripts. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Copy buttons: <button data-copy-target="#id"> copies the text (or value) of the target element.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target || !navigator.clipboard) { return; }
    var text = "value" in target && target.value !== undefined ? target.value : target.textContent;
    navigator.clipboard.writeText(text.trim()).then(function () {
      button.classList.add("copied");
      setTimeout(function () { button.classList.remove("copied"); }, 1500);
    });
  });
})();
