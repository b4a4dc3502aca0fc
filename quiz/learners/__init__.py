"""The learner's own settings: their day (time zone, when it starts) and their scheduling."""
