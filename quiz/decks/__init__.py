"""Decks as files: the file format, loading into the database, proving cards."""
