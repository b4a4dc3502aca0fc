// The colour theme: the system's (prefers-color-scheme) unless the learner chose one with the
// toggle, which is kept in localStorage. Loaded in <head> without defer, so the page is drawn
// in its theme from the start.
(function () {
  "use strict";
  const KEY = "loopdeck:theme";
  const system = window.matchMedia("(prefers-color-scheme: dark)");

  function chosen() {
    try {
      return localStorage.getItem(KEY);
    } catch (error) {
      return null;
    }
  }

  function apply() {
    const theme = chosen() || (system.matches ? "dark" : "light");
    document.documentElement.dataset.theme = theme === "dark" ? "dark" : "light";
  }

  apply();
  system.addEventListener("change", apply);
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest && event.target.closest("[data-theme-toggle]");
    if (!toggle) return;
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    try {
      localStorage.setItem(KEY, next);
    } catch (error) {
      // No storage: the choice lasts for this page only.
    }
    document.documentElement.dataset.theme = next;
  });
})();
