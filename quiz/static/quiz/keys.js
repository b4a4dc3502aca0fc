// Keyboard shortcuts as htmx triggers, without eval (the Content-Security-Policy forbids it).
// A key released outside a form field is announced on <body> as a "shortcut-<name>" event, which
// elements use as `hx-trigger="shortcut-u from:body"`. Letters and digits are named by their
// position on the keyboard (U is "u" in the Russian layout too); the space bar is "space", "-"
// is "minus" and "@" is "at". The space bar is also left alone on a focused button, which it
// presses.
(function () {
  "use strict";
  const FIELDS = "input,textarea,select,[contenteditable]";
  const NAMED = { " ": "space", "-": "minus", "@": "at" };
  function nameOf(event) {
    if (event.key in NAMED) return NAMED[event.key];
    const position = /^(?:Key([A-Z])|Digit([0-9]))$/.exec(event.code || "");
    return position ? (position[1] || position[2]).toLowerCase() : null;
  }
  document.addEventListener("keyup", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const space = event.key === " ";
    if (target.closest && target.closest(space ? FIELDS + ",button" : FIELDS)) return;
    const name = nameOf(event);
    if (name) document.body.dispatchEvent(new CustomEvent("shortcut-" + name, { bubbles: true }));
  });
})();
