// The study page's keyboard: what htmx attributes cannot say alone. Enter checks a predict or
// order card (Shift+Enter is a newline in the predict box), Esc leaves a field so that the
// one-key shortcuts work, Alt+U undoes from anywhere, Ctrl+Enter checks and Ctrl+Shift+Enter
// runs a code card, "?" lists every shortcut. Also: the done state's countdown.
(function () {
  "use strict";

  function inField(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  // The shortcuts list. Closed, it leaves no focus behind: the browser gives the focus back to
  // what had it before the list opened, but when nothing had it (the list opened by "?"), the
  // hidden Close button keeps it until the next frame, and a Space pressed quickly after Esc
  // would go to that button instead of turning the card.
  function shortcuts() {
    return document.getElementById("shortcuts");
  }

  function openShortcuts() {
    const dialog = shortcuts();
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }

  function closeShortcuts() {
    const dialog = shortcuts();
    dialog.close();
    if (dialog.contains(document.activeElement)) document.activeElement.blur();
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
    if (event.key === "Escape" && shortcuts() && shortcuts().open) {
      event.preventDefault();
      closeShortcuts();
      return;
    }
    if (event.key === "Escape" && inField(target) && !target.closest(".cm-editor")) {
      target.blur();
      return;
    }
    if (event.key === "?" && !inField(target) && !event.ctrlKey && !event.altKey) {
      if (openShortcuts()) event.preventDefault();
    }
  }
  // In the capture phase, so that Enter on a position list checks instead of opening it.
  document.addEventListener("keydown", onKey, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts]")) openShortcuts();
  });
  // The list's Close button submits its method="dialog" form.
  document.addEventListener("submit", function (event) {
    if (event.target.closest("#shortcuts")) {
      event.preventDefault();
      closeShortcuts();
    }
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
