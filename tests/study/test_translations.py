"""The Russian catalog is complete and compiled: every marked string has a translation."""

from __future__ import annotations

import ast
import re

from django.conf import settings
from django.utils import translation

PO = settings.BASE_DIR / "quiz" / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# Strings that are the same in both languages.
SAME = {"loopdeck", "English"}


def entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of the .po file."""
    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r"^(msgid|msgstr|msgid_plural|msgstr\[0\])\s+(\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            found.append(
                (fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy)
            )
    return found


def test_every_string_has_a_russian_translation():
    missing = [msgid for msgid, msgstr, fuzzy in entries() if not msgstr or fuzzy]
    assert missing == []


def test_the_compiled_catalog_matches_the_source():
    with translation.override("ru"):
        stale = [
            msgid
            for msgid, msgstr, _ in entries()
            if msgid not in SAME and "%" not in msgid and translation.gettext(msgid) != msgstr
        ]
    assert stale == []
