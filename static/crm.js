// CRM pages: the Actions submenu, bulk selection, confirmations, repeatable form rows, all-day toggle.
// Loaded as a file (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // "Actions → Sync contacts → ...": Bootstrap has no nested dropdowns, so the submenu opens on click.
  document.querySelectorAll("[data-crm-submenu]").forEach(function (toggle) {
    var submenu = document.getElementById(toggle.getAttribute("data-crm-submenu"));
    if (!submenu) { return; }
    function show(open) {
      submenu.classList.toggle("show", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    // Click (or Enter) opens it; it closes with the Actions menu. Not a toggle: pointing at the item has
    // already opened it, and the click that follows must not close it again.
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      show(true);
    });
    toggle.addEventListener("mouseenter", function () { show(true); });
    var parentMenu = toggle.closest(".dropdown");
    if (parentMenu) {
      parentMenu.addEventListener("hidden.bs.dropdown", function () { show(false); });
    }
  });

  // Filters apply on change.
  document.querySelectorAll("[data-crm-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Confirm before destructive submits: forms or buttons carrying data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Bulk bar: which button was pressed decides the action; the counter follows the checkboxes.
  var bulk = document.querySelector("form[data-crm-bulk]");
  if (bulk) {
    var action = document.getElementById("bulk-action");
    var counter = document.getElementById("selected-count");
    var selectPage = document.getElementById("select-page");
    var allMatching = document.getElementById("all-matching");
    var boxes = function () { return bulk.querySelectorAll("input[name=ids]"); };
    var update = function () {
      var n = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
      if (counter) { counter.textContent = counter.getAttribute("data-template").replace("{n}", String(n)); }
    };
    bulk.querySelectorAll("[data-bulk-action]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var message = button.getAttribute("data-confirm");
        if (message && !window.confirm(message)) { event.preventDefault(); return; }
        action.value = button.getAttribute("data-bulk-action");
      });
    });
    if (selectPage) {
      selectPage.addEventListener("change", function () {
        boxes().forEach(function (b) { b.checked = selectPage.checked; });
        update();
      });
    }
    if (allMatching) {
      allMatching.addEventListener("change", function () {
        if (allMatching.checked && selectPage) { selectPage.checked = true; selectPage.dispatchEvent(new Event("change")); }
      });
    }
    bulk.addEventListener("change", function (event) {
      if (event.target.name === "ids") { update(); }
    });
    update();
  }

  // Repeatable rows (e-mails, phones, addresses): clone the last row with the next index.
  document.querySelectorAll("[data-crm-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-crm-add-row");
      var group = document.querySelector("[data-crm-rows='" + name + "']");
      var rows = group.querySelectorAll("[data-crm-row]");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var next = rows.length;
      var pattern = new RegExp("^" + name + "-\\d+-");
      copy.querySelectorAll("input, select, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) { el.setAttribute(attr, value.replace(pattern, name + "-" + next + "-")); }
        });
        if (el.tagName === "INPUT") { el.value = ""; el.classList.remove("is-invalid"); }
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      last.parentNode.insertBefore(copy, last.nextSibling);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
    });
  });

  // All-day activities use dates; timed ones use date-times and a zone.
  var allDay = document.querySelector("[data-crm-all-day]");
  if (allDay) {
    var timed = document.querySelector("[data-crm-timed]");
    var dated = document.querySelector("[data-crm-dated]");
    var sync = function () {
      timed.classList.toggle("d-none", allDay.checked);
      dated.classList.toggle("d-none", !allDay.checked);
    };
    allDay.addEventListener("change", sync);
    sync();
  }
})();
