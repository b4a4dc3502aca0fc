"""English date formats beyond Django's (see quiz/formats/__init__.py)."""

# A month over a column of the heatmap: "Dec".
SHORT_MONTH_FORMAT = "M"
# Absolute times where the zone matters (another person's times, a page counted in UTC days).
ZONED_DATETIME_FORMAT = "N j, Y, P T"
ZONED_SHORT_DATETIME_FORMAT = "m/d/Y P T"
ZONED_TIME_FORMAT = "P T"
