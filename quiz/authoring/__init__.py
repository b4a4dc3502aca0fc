"""The Author area: teachers write decks and cards in the browser."""
