/* The calendar (posts/calendar.html) without inline scripts:
   - drag and drop: an editor drags a card (native HTML5 drag and drop) onto another slot; the
     server moves it (post_move with via=drop and the version the card showed: a stale card is
     refused), answers in #calendar-status with Undo, and the calendar reloads itself (postMoved);
   - selection for bulk actions: "Select all shown", shift-click selects a range, a live count. */
(function () {
  "use strict";

  var dragged = null;

  function calendar() { return document.querySelector("#calendar[data-can-move]"); }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".slot-card[draggable=true]");
    if (!card || !calendar() || !calendar().contains(card)) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    document.querySelectorAll(".is-over").forEach(function (el) { el.classList.remove("is-over"); });
  });

  function dropTarget(event) {
    var target = event.target.closest && event.target.closest("[data-date][data-slot]");
    return target && dragged && calendar() && calendar().contains(target) ? target : null;
  }

  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".is-over").forEach(function (el) { if (el !== target) el.classList.remove("is-over"); });
    target.classList.add("is-over");
  });

  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    var card = dragged;
    target.classList.remove("is-over");
    if (target.contains(card)) return;
    window.htmx.ajax("POST", card.getAttribute("href") + "move/", {
      source: card,
      target: "#calendar-status",
      swap: "innerHTML",
      values: { version: card.dataset.version, date: target.dataset.date, slot: target.dataset.slot, via: "drop" }
    });
  });

  // --- selection ------------------------------------------------------------------------------
  var lastPicked = null;

  function boxes(form) { return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name=post]')); }

  function showCount(form) {
    var count = boxes(form).filter(function (box) { return box.checked; }).length;
    var label = form.querySelector("[data-selected-count]");
    if (label) label.textContent = count ? count + " ✓" : "";
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest('#bulk-form input[type=checkbox][name=post]');
    if (!box) return;
    var form = box.form;
    if (event.shiftKey && lastPicked && lastPicked.form === form) {
      var all = boxes(form);
      var from = all.indexOf(lastPicked), to = all.indexOf(box);
      all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (each) { each.checked = box.checked; });
    }
    lastPicked = box;
    showCount(form);
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) return;
    boxes(all.form).forEach(function (box) { box.checked = all.checked; });
    showCount(all.form);
  });
})();
