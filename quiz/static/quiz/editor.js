// The code card editor: CodeMirror on every textarea[data-editor], kept in sync with the
// textarea so the form posts what the learner typed. Without JavaScript the textarea stays.
// The CodeMirror bundle (vendor/codemirror.js) is fetched only when a code card is shown, so
// other cards' pages stay light and their keyboard shortcuts are ready at once.
(function () {
  "use strict";
  const bundle = document.currentScript && document.currentScript.dataset.codemirror;
  // CodeMirror adds its styles as a <style> element: the page's CSP nonce lets it.
  const nonce = (document.currentScript && document.currentScript.nonce) || "";
  let loading = null;
  let editorKit = null;

  function withCodeMirror(then) {
    if (!loading) {
      loading = window.LoopdeckCM
        ? Promise.resolve()
        : new Promise(function (resolve, reject) {
            const script = document.createElement("script");
            script.src = bundle;
            script.onload = resolve;
            script.onerror = reject;
            document.head.appendChild(script);
          });
    }
    loading.then(function () {
      editorKit = editorKit || kit(window.LoopdeckCM);
      then(editorKit);
    });
  }

  // What every editor shares: the "flagged line" decoration and the extensions.
  function kit(CM) {
    const setFlagged = CM.StateEffect.define();
    const flaggedLine = CM.Decoration.line({ class: "cm-flagged" });
    const flagged = CM.StateField.define({
      create: () => CM.Decoration.none,
      update(lines, tr) {
        lines = lines.map(tr.changes);
        for (const effect of tr.effects) {
          if (!effect.is(setFlagged)) continue;
          const doc = tr.state.doc;
          const marks = effect.value
            .filter((n) => n >= 1 && n <= doc.lines)
            .map((n) => flaggedLine.range(doc.line(n).from));
          lines = CM.Decoration.set(marks, true);
        }
        return lines;
      },
      provide: (field) => CM.EditorView.decorations.from(field),
    });

    function flag(view, text) {
      const lines = (text || "").split(",").filter(Boolean).map(Number);
      view.dispatch({ effects: setFlagged.of(lines) });
      if (lines.length && lines[0] <= view.state.doc.lines) {
        const at = view.state.doc.line(lines[0]).from;
        view.dispatch({ effects: CM.EditorView.scrollIntoView(at, { y: "center" }) });
      }
    }

    function mount(textarea) {
      if (textarea.editorView) return;
      const press = (selector) => () => {
        const button = textarea.form && textarea.form.querySelector(selector);
        if (button) button.click();
        return true;
      };
      // A draft of this presentation kept in the browser: a reload brings back what was typed.
      const draftKey = textarea.dataset.draft ? "loopdeck:draft:" + textarea.dataset.draft : "";
      const draft = draftKey && readDraft(draftKey);
      if (draft !== null && draft !== undefined && draft !== "") textarea.value = draft;
      const view = new CM.EditorView({
        state: CM.EditorState.create({
          doc: textarea.value,
          extensions: [
            CM.lineNumbers(),
            CM.highlightActiveLineGutter(),
            CM.history(),
            CM.drawSelection(),
            CM.indentUnit.of("    "),
            CM.indentOnInput(),
            CM.bracketMatching(),
            CM.closeBrackets(),
            CM.highlightActiveLine(),
            CM.python(),
            CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
            CM.keymap.of([
              { key: "Mod-Enter", run: press("[data-check]"), preventDefault: true },
              { key: "Mod-Shift-Enter", run: press("[data-run]"), preventDefault: true },
              ...CM.closeBracketsKeymap,
              ...CM.defaultKeymap,
              ...CM.searchKeymap,
              ...CM.historyKeymap,
              CM.indentWithTab,
            ]),
            flagged,
            CM.EditorView.cspNonce.of(nonce),
            CM.EditorView.contentAttributes.of({
              "aria-label": textarea.getAttribute("aria-label") || "",
            }),
            CM.EditorView.updateListener.of((update) => {
              if (!update.docChanged) return;
              textarea.value = update.state.doc.toString();
              if (draftKey) writeDraft(draftKey, textarea.value);
            }),
          ],
        }),
      });
      textarea.after(view.dom);
      textarea.hidden = true;
      textarea.editorView = view;
      flag(view, textarea.dataset.highlight);
    }

    return { mount: mount, flag: flag };
  }

  // Drafts: at most DRAFTS kept, the oldest dropped; storage may be full or forbidden.
  const DRAFTS = 30;
  function readDraft(key) {
    try {
      const saved = JSON.parse(localStorage.getItem(key) || "null");
      return saved && saved.code;
    } catch (error) {
      return null;
    }
  }
  function writeDraft(key, code) {
    try {
      localStorage.setItem(key, JSON.stringify({ code: code, at: Date.now() }));
      const keys = Object.keys(localStorage).filter((k) => k.startsWith("loopdeck:draft:"));
      if (keys.length <= DRAFTS) return;
      const at = (k) => (JSON.parse(localStorage.getItem(k) || "{}").at || 0);
      keys.sort((a, b) => at(a) - at(b));
      keys.slice(0, keys.length - DRAFTS).forEach((k) => localStorage.removeItem(k));
    } catch (error) {
      // No storage: the draft lives only in the page.
    }
  }

  function editor() {
    const textarea = document.querySelector("textarea[data-editor]");
    return textarea && textarea.editorView;
  }

  htmx.onLoad(function (root) {
    if (!root.querySelectorAll) return;
    const textareas = root.querySelectorAll("textarea[data-editor]");
    const verdict = root.matches("[data-lines]") ? root : root.querySelector("[data-lines]");
    if (!textareas.length && !verdict) return;
    withCodeMirror(function (kit) {
      textareas.forEach(kit.mount);
      const view = editor();
      if (verdict && view) kit.flag(view, verdict.dataset.lines);
    });
  });

  // "Reset to starter": the card's starter code back in the editor (Ctrl+Z brings yours back).
  document.addEventListener("click", function (event) {
    const reset = event.target.closest && event.target.closest("[data-reset]");
    const textarea = document.querySelector("textarea[data-editor]");
    if (!reset || !textarea) return;
    const view = textarea.editorView;
    if (view) {
      const doc = view.state.doc;
      view.dispatch({ changes: { from: 0, to: doc.length, insert: textarea.dataset.starter } });
      view.focus();
    } else {
      textarea.value = textarea.dataset.starter;
    }
  });

  // "line 4" next to an event: put the cursor on that line in the editor.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("[data-line]");
    const view = editor();
    if (!link || !view) return;
    const number = Number(link.dataset.line);
    if (number < 1 || number > view.state.doc.lines) return;
    const line = view.state.doc.line(number);
    view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
    view.focus();
  });
})();
