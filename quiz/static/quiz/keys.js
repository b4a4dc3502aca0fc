// Keyboard shortcuts as htmx triggers, without eval (the Content-Security-Policy forbids it).
// A key released outside a form field is announced on <body> as a "shortcut-<key>" event
// ("shortcut-space" for the space bar), which elements use as `hx-trigger="shortcut-u from:body"`.
// The space bar is also left alone on a focused button, which it presses.
(function () {
  "use strict";
  const FIELDS = "input,textarea,select,[contenteditable]";
  document.addEventListener("keyup", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const space = event.key === " ";
    if (target.closest && target.closest(space ? FIELDS + ",button" : FIELDS)) return;
    const name = space ? "space" : event.key.toLowerCase();
    if (!/^[a-z0-9]$|^space$/.test(name)) return;
    document.body.dispatchEvent(new CustomEvent("shortcut-" + name, { bubbles: true }));
  });
})();
