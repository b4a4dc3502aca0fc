"""Russian date formats: Django's, fixed, and those beyond it (see quiz/formats/__init__.py)."""

# Django's Russian "j F" gives "3 Декабрь": a day takes its month in the genitive, "3 декабря".
MONTH_DAY_FORMAT = "j E"
# A month over a column of the heatmap: "дек", lower case as Russian writes month names.
SHORT_MONTH_FORMAT = "b"
# Absolute times where the zone matters, on the 24-hour clock.
ZONED_DATETIME_FORMAT = "j E Y г. G:i T"
ZONED_SHORT_DATETIME_FORMAT = "d.m.Y H:i T"
ZONED_TIME_FORMAT = "G:i T"
