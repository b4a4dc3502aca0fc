"""Studying: presenting due cards, answering, undo, grading and FSRS scheduling."""
