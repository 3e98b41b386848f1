/* Page behaviour without inline scripts or handlers (the Content-Security-Policy allows only
   script files from this origin). Each rule keys off a data attribute in the templates:
   data-autosubmit (select submits its form), data-confirm (form asks first), data-clear
   (button empties the element it names), data-width (a bar's width in %), data-swatch
   (a colour sample's background). */
(function () {
  "use strict";

  // In DEBUG, django-htmx's script (listening on document) replaces the whole page with any 400/403/404
  // response. Ours are fragments meant for the request's target (the meta htmx-config swaps them): stop
  // the event on its way down, in the capture phase at window, before that listener sees it. A 500 still
  // reaches it, so the developer keeps Django's debug page.
  var SWAPPED_ERRORS = [400, 403, 404, 409, 422, 429];
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && SWAPPED_ERRORS.indexOf(xhr.status) !== -1) event.stopPropagation();
  }, true);

  // The phone menu (templates/_base.html): folded until the Menu button opens it.
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = nav.classList.toggle("is-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Header dropdowns (<details class="menu">): one open at a time, closed by a click elsewhere or Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.menu") && event.target.open) closeMenus(event.target);
  }, true);
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = event.target.closest && event.target.closest("details.menu[open]");
    closeMenus(null);
    if (open) open.querySelector("summary").focus();
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-clear]");
    if (!button) return;
    var target = document.querySelector(button.dataset.clear);
    if (target) target.innerHTML = "";
  });

  // Styles set through the CSSOM are not inline style attributes, so `style-src 'self'` allows them.
  function applyStyles(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      var value = parseFloat(element.dataset.width);
      if (!isNaN(value)) element.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
    root.querySelectorAll("[data-swatch]").forEach(function (element) {
      element.style.backgroundColor = element.dataset.swatch;
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(function (element) { applyStyles(element.parentElement || document); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { applyStyles(document); });
  }
})();
