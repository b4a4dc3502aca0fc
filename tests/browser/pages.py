"""Every page of the app, as the people who see it: for width and accessibility checks."""

from __future__ import annotations

from typing import Any

from quiz.models import Card, CardMark, Deck
from quiz.models.decks import Source
from tests.progress.fixtures import History

PASSWORD = "correct-horse-9"


def pages(history: History) -> dict[str, list[tuple[str, str]]]:
    """Who (username, or "" for a visitor) sees which pages: (name, path). Study pages, one
    per card kind, are checked as they are answered (test_keyboard)."""
    code = Card.objects.get(deck=history.deck, key="code-1")
    return {
        "": [("login", "/accounts/login/"), ("signup", "/accounts/signup/")],
        "ada": [
            ("decks", "/decks/"),
            ("my-progress", "/progress/"),
            ("marked-cards", "/cards/marked/"),
        ],
        "tess": [
            ("insights-index", "/progress/decks/"),
            ("insights", "/progress/decks/tiny/"),
            ("author-home", "/author/"),
            ("author-deck", "/author/decks/tiny/"),
            ("author-deck-edit", "/author/decks/tiny/edit/"),
            ("author-card", "/author/decks/tiny/cards/card-1/"),
            ("author-code-card", f"/author/decks/tiny/cards/{code.key}/"),
            ("author-new-choice", "/author/decks/tiny/cards/new/choice/"),
            ("author-upload", "/author/upload/"),
        ],
        "stan": [
            ("cohort", "/progress/learners/"),
            ("drill-down", f"/progress/learners/{history.ada.pk}/"),
        ],
    }


def prepare(history: History) -> None:
    """Passwords to log in with; Tess owns the deck as if written in the browser, to edit it;
    Ada has flagged a card and suspended the code card, for her list of marked cards."""
    Deck.objects.filter(pk=history.deck.pk).update(
        source=Source.BROWSER, owner=history.teacher, source_path=""
    )
    CardMark.objects.create(user=history.ada, card=history.cards["card-2"], flagged=True)
    CardMark.objects.create(user=history.ada, card=history.cards["code-1"], suspended=True)
    for user in (history.ada, history.teacher, history.staff):
        user.set_password(PASSWORD)
        user.save()


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def widest(page: Any) -> list[str]:
    """The elements sticking out past the viewport's right edge, to say what to fix."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            const inside = '.table-scroll, pre, .cm-scroller';
            const scroller = el.parentElement && el.parentElement.closest(inside);
            if (box.right > width + 1 && !scroller) {
              const parent = el.parentElement;
              if (parent && parent.getBoundingClientRect().right > width + 1) continue;
              out.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
            }
          }
          return out.slice(0, 8);
        }"""
    )
