/* The post editor (posts/detail.html) without inline scripts:
   - the phone preview mirrors the inputs marked data-preview while the user types
     (hook, caption, hashtags; a scene's on-screen text: scene-<n>), and a scene button shows its text;
   - keyboard shortcuts: Alt+S save, Alt+A approve, Alt+L lock/unlock, Alt+←/→ previous/next post
     (elements marked data-shortcut="s|a|l|ArrowLeft|ArrowRight" in the open panel);
   - Close returns focus (and the scroll position) to the post's card in the calendar;
   - an opened panel is scrolled into view (on a phone it is a full-screen sheet). */
(function () {
  "use strict";

  function panel() { return document.querySelector("#post-panel .post-panel-inner"); }

  function setSlot(root, name, text) {
    root.querySelectorAll('[data-preview-slot="' + name + '"]').forEach(function (slot) { slot.textContent = text; });
  }

  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-preview]");
    var root = panel();
    if (!input || !root) return;
    var kind = input.dataset.preview;
    if (kind === "scene") {
      var match = /-(\d+)-/.exec(input.name || "");
      if (!match) return;
      setSlot(root, "scene-" + match[1], input.value || "—");
      if (match[1] === "0") setSlot(root, "scene", input.value);
      return;
    }
    setSlot(root, kind, input.value);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-preview-scene]");
    if (button) {
      var root = panel();
      if (root) setSlot(root, "scene", button.dataset.text || "");
      return;
    }
    var close = event.target.closest("[data-return-to]");
    if (close) {
      var card = document.querySelector(close.dataset.returnTo);
      if (card) {
        card.scrollIntoView({ block: "center" });
        card.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var root = panel();
    if (!root) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var target = root.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    // A panel swapped in a moment ago is only wired by htmx when it settles; a shortcut pressed
    // before that would submit the plain form and leave the calendar. process() is idempotent.
    if (window.htmx) window.htmx.process(root);
    target.click();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "post-panel") {
      var title = document.getElementById("post-panel-title");
      if (title) {
        title.scrollIntoView({ block: "start" });
        title.focus({ preventScroll: true });
      }
    }
  });
})();
