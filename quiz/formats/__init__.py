"""Date and time formats per language (FORMAT_MODULE_PATH), read before Django's own.

Besides fixing Django's, each language names formats of its own, used like Django's named ones
(`|date:"ZONED_DATETIME_FORMAT"`, `date_format(day, "SHORT_MONTH_FORMAT")`):
`django.utils.formats.get_format` reads any name from these modules first. Every language in
LANGUAGES must define every one of them (tests/learners/test_dates.py checks it).
"""
