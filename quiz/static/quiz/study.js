// The study page's keyboard: what htmx attributes cannot say alone. Enter checks a predict or
// order card (Shift+Enter is a newline in the predict box), Esc leaves a field so that the
// one-key shortcuts work, Alt+U undoes from anywhere, Ctrl+Enter checks and Ctrl+Shift+Enter
// runs a code card, "?" lists every shortcut. Also: the done state's countdown.
(function () {
  "use strict";

  function inField(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  function press(selector) {
    const button = document.querySelector(selector);
    if (button && !button.disabled) button.click();
    return Boolean(button);
  }

  function onKey(event) {
    const target = event.target;
    const form = target.closest && target.closest(".answer-form");
    // Enter in an order card's position list or the predict box checks the answer.
    if (
      form &&
      event.key === "Enter" &&
      !event.shiftKey &&
      !event.isComposing &&
      (target.tagName === "SELECT" || target.tagName === "TEXTAREA")
    ) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    // Alt+U undoes the last answer wherever the focus is (letters by their key position, so
    // they work in any keyboard layout).
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyU") {
      event.preventDefault();
      const undo = document.querySelector("[data-undo]");
      if (undo) undo.requestSubmit();
      return;
    }
    // Code cards: Ctrl+Enter checks, Ctrl+Shift+Enter runs, with the focus anywhere.
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !target.closest(".cm-editor")) {
      if (press(event.shiftKey ? "[data-run]" : "[data-check]")) event.preventDefault();
      return;
    }
    if (event.key === "Escape" && inField(target) && !target.closest(".cm-editor")) {
      target.blur();
      return;
    }
    if (event.key === "?" && !inField(target) && !event.ctrlKey && !event.altKey) {
      const dialog = document.getElementById("shortcuts");
      if (dialog && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
      }
    }
  }
  // In the capture phase, so that Enter on a position list checks instead of opening it.
  document.addEventListener("keydown", onKey, true);

  document.addEventListener("click", function (event) {
    const opener = event.target.closest && event.target.closest("[data-shortcuts]");
    const dialog = document.getElementById("shortcuts");
    if (opener && dialog) dialog.showModal();
  });

  // "The next card in 0:42": counted down each second; htmx fetches the card when it is due.
  function countDown() {
    document.querySelectorAll("[data-seconds]").forEach(function (element) {
      if (!element.dataset.until) {
        element.dataset.until = Date.now() + Number(element.dataset.seconds) * 1000;
      }
      const left = Math.max(0, Math.ceil((Number(element.dataset.until) - Date.now()) / 1000));
      const seconds = String(left % 60).padStart(2, "0");
      element.textContent = Math.floor(left / 60) + ":" + seconds;
    });
  }
  setInterval(countDown, 1000);
  document.addEventListener("htmx:load", countDown);
})();
