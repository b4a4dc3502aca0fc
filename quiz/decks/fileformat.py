"""Parse and write deck files (content/*.md); the format is documented in content/README.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz.kinds import KINDS, CardContent, ChoiceOption
from runner.checks import SpecError, validate

LANGUAGES = ("en", "ru")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CARD_HEADING = re.compile(r"^##\s+(\S.*?)\s*$")
SECTION_HEADING = re.compile(r"^###\s+(\S.*?)\s*$")
KEY_LINE = re.compile(r"^([a-z_]+):\s*(.*?)\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
CHOICE_ITEM = re.compile(r"^[-*]\s+\[( |x|X)\]\s+(.+?)\s*$")
LIST_ITEM = re.compile(r"^(?:[-*]|\d+[.)])\s+(.+?)\s*$")
# A mutant declared equivalent: `- drop-close@13: asyncio.run closes the loop anyway`.
EQUIVALENT_ITEM = re.compile(r"^(?:[-*]\s+)?([a-z][a-z-]*@\d+(?:\.\d+)?)\s*:\s*(\S.*?)\s*$")

# A Python version as decks name it: a series ("3.12") or an exact version ("3.12.1").
PYTHON_RE = re.compile(r"^3\.\d{1,2}(\.\d{1,2})?$")
# How many interpreters one card may run on side by side.
MAX_PYTHONS = 2

# Bounds on the YAML teachers write (front matter, checks): no anchors or aliases (whose
# expansion multiplies text), a few levels deep, no long strings; the title and description too.
MAX_YAML_DEPTH = 20
MAX_YAML_STRING = 10_000
MAX_TITLE = 200
MAX_DESCRIPTION = 2_000

DECK_SETTINGS = {
    "desired_retention": (float, 0.7, 0.97),
    "new_per_day": (int, 0, 1000),
    "reviews_per_day": (int, 1, 100000),
}


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader refusing anchors and aliases, deep nesting and long strings.

    Each refusal is a yaml.YAMLError with the line and column where it happens.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # Refused while scanning: PyYAML's scanner would otherwise read ahead over every "["
        # (quadratic in the nesting) before the composer saw the first level.
        if self.flow_level >= MAX_YAML_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", self.get_mark()
            )
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, "anchors (&name) are not allowed", mark)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_YAML_STRING:
            raise yaml.composer.ComposerError(
                None, None, f"a value is longer than {MAX_YAML_STRING} characters", mark
            )
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(text: str) -> Any:
    """YAML a teacher wrote, within BoundedLoader's bounds (else yaml.YAMLError)."""
    return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 - a SafeLoader subclass


class DeckError(ValueError):
    """A problem in a deck file, located by file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class WrongSolution:
    check: str
    code: str


@dataclass
class CardSource:
    """One card as written in one language's file."""

    id: str
    kind: str
    line: int
    tags: list[str] = field(default_factory=list)
    front: str = ""
    back: str = ""
    options: list[ChoiceOption] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    snippet: str = ""
    starter: str = ""
    solution: str = ""
    wrong: list[WrongSolution] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    equivalent_mutants: dict[str, str] = field(default_factory=dict)
    hints: list[str] = field(default_factory=list)
    # The interpreters its code runs on ("python:" in its key lines), else the deck's.
    python: list[str] = field(default_factory=list)

    def content(self, deck_python: list[str] | None = None) -> CardContent:
        """What the database keeps for this language of the card (everything but id/kind/tags):
        front, back, the fields its kind declares, and the interpreters its code runs on (its
        own, else the deck's) when any is named."""
        data: dict[str, Any] = {"front": self.front, "back": self.back}
        for name in KINDS[self.kind].fields:
            data[name] = getattr(self, name)
        if "wrong" in data:
            data["wrong"] = [{"check": w.check, "code": w.code} for w in self.wrong]
        python = self.python or deck_python or []
        if python and KINDS[self.kind].proven:
            data["python"] = list(python)
        return data  # type: ignore[return-value]

    @classmethod
    def of(cls, key: str, kind: str, tags: list[str], content: Any) -> CardSource:
        """The card as its deck file writes it, from what the database keeps."""
        card = cls(id=key, kind=kind, line=0, tags=list(tags))
        card.front, card.back = content.get("front", ""), content.get("back", "")
        for name in KINDS[kind].fields:
            if name in content:
                setattr(card, name, content[name])
        card.wrong = [WrongSolution(w["check"], w["code"]) for w in content.get("wrong", [])]
        card.python = list(content.get("python", []))
        return card


@dataclass
class DeckSource:
    """One deck file: front matter plus cards, in one language."""

    path: str
    deck: str
    language: str
    title: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    cards: list[CardSource] = field(default_factory=list)
    # The interpreters its cards' code runs on ("python:" in the front matter); none: the default.
    python: list[str] = field(default_factory=list)


def python_versions(value: Any) -> list[str] | None:
    """A `python:` value as a list of versions ("3.12" or ["3.11", "3.12"]), or None if it is
    not one or two distinct versions 3.X or 3.X.Y. YAML reads 3.12 as a number: written so,
    it would lose 3.10's zero, so only strings and lists of strings are taken."""
    values = value if isinstance(value, list) else [value]
    if not 1 <= len(values) <= MAX_PYTHONS or len(set(map(str, values))) != len(values):
        return None
    if not all(isinstance(v, str) and PYTHON_RE.match(v.strip()) for v in values):
        return None
    return [v.strip() for v in values]


PYTHON_PROBLEM = (
    '\'python:\' must name one or two versions as text, like "3.12" or ["3.11", "3.12"]'
)


def parse_deck_file(path: str | Path) -> DeckSource:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DeckError(str(path), 1, f"not UTF-8 text ({exc.reason})") from exc
    return parse_deck_text(text, str(path))


def parse_deck_text(text: str, path: str = "<deck>") -> DeckSource:
    deck, problems = read_deck_text(text, path)
    if deck is None:
        raise problems[0]
    return deck


def read_deck_text(text: str, path: str = "<deck>") -> tuple[DeckSource | None, list[DeckError]]:
    """Read a deck file and every problem in it (at most one per card), in file order.

    The deck is None when there is any problem: a teacher sees them all at once, and nothing
    half-read is ever loaded.
    """
    lines = text.splitlines()
    problems: list[DeckError] = []
    deck: DeckSource | None
    try:
        deck, body_start = _parse_front_matter(lines, path)
    except DeckError as error:
        problems.append(error)
        deck, body_start = None, 1 if lines and lines[0].strip() == "---" else 0
    cards: list[CardSource] = []
    seen: dict[str, int] = {}
    blocks = _card_blocks(lines, body_start, path, problems)
    for start, end in blocks:
        try:
            card = _parse_card(lines, start, end, path)
        except DeckError as error:
            problems.append(error)
            continue
        if card.id in seen:
            problems.append(
                DeckError(
                    path,
                    start + 1,
                    f"card id '{card.id}' is used twice (first on line {seen[card.id]})",
                )
            )
        seen[card.id] = start + 1
        cards.append(card)
    if not blocks:
        problems.append(
            DeckError(path, len(lines) or 1, "the deck has no cards (a card starts with '## id')")
        )
    if problems or deck is None:
        return None, problems
    deck.cards = cards
    return deck, []


def _parse_front_matter(lines: list[str], path: str) -> tuple[DeckSource, int]:
    if not lines or lines[0].strip() != "---":
        raise DeckError(path, 1, "the file must start with front matter between two '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise DeckError(path, 1, "the front matter is not closed with '---'") from None
    try:
        meta = load_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        line = 2 + getattr(getattr(exc, "problem_mark", None), "line", 0)
        raise DeckError(path, line, f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise DeckError(path, 2, "front matter must be 'key: value' lines")

    def line_of(key: str) -> int:
        for i in range(1, end):
            if lines[i].startswith(f"{key}:"):
                return i + 1
        return 1

    unknown = set(meta) - {"deck", "language", "title", "description", "python", *DECK_SETTINGS}
    if unknown:
        key = sorted(unknown)[0]
        raise DeckError(path, line_of(key), f"unknown front matter key '{key}'")
    deck_id = str(meta.get("deck", ""))
    if not ID_RE.match(deck_id):
        raise DeckError(
            path, line_of("deck"), "'deck:' must be an id of lowercase letters, digits and dashes"
        )
    language = str(meta.get("language", ""))
    if language not in LANGUAGES:
        raise DeckError(
            path, line_of("language"), f"'language:' must be one of {', '.join(LANGUAGES)}"
        )
    title = str(meta.get("title", "")).strip()
    if not title:
        raise DeckError(path, line_of("title"), "'title:' is required")
    if len(title) > MAX_TITLE:
        raise DeckError(path, line_of("title"), f"'title:' is longer than {MAX_TITLE} characters")
    if len(str(meta.get("description", ""))) > MAX_DESCRIPTION:
        raise DeckError(
            path,
            line_of("description"),
            f"'description:' is longer than {MAX_DESCRIPTION} characters",
        )
    settings: dict[str, Any] = {}
    for key, (kind, low, high) in DECK_SETTINGS.items():
        if key not in meta:
            continue
        value = meta[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise DeckError(path, line_of(key), f"'{key}:' must be a number from {low} to {high}")
        settings[key] = kind(value)
    python: list[str] = []
    if "python" in meta:
        python = python_versions(meta["python"]) or []
        if not python:
            raise DeckError(path, line_of("python"), PYTHON_PROBLEM)
    deck = DeckSource(
        path=path,
        deck=deck_id,
        language=language,
        title=title,
        description=str(meta.get("description", "") or "").strip(),
        settings=settings,
        python=python,
    )
    return deck, end + 1


def _fenced_lines(lines: list[str], start: int, end: int) -> list[bool]:
    """For each line in [start, end): is it inside (or delimiting) a fenced code block?"""
    inside: list[bool] = []
    fence: str | None = None
    for line in lines[start:end]:
        match = FENCE.match(line.strip())
        if fence is None and match:
            fence = match.group(1)
            inside.append(True)
        elif fence is not None:
            inside.append(True)
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
        else:
            inside.append(False)
    return inside


def _card_blocks(
    lines: list[str], start: int, path: str, problems: list[DeckError]
) -> list[tuple[int, int]]:
    fenced = _fenced_lines(lines, start, len(lines))
    heads = [
        start + i
        for i, line in enumerate(lines[start:])
        if not fenced[i] and CARD_HEADING.match(line)
    ]
    for i, line in enumerate(lines[start:]):
        if not fenced[i] and SECTION_HEADING.match(line) and (not heads or start + i < heads[0]):
            problems.append(
                DeckError(path, start + i + 1, "a section comes before any card ('## id')")
            )
    return [(h, heads[n + 1] if n + 1 < len(heads) else len(lines)) for n, h in enumerate(heads)]


def _parse_card(lines: list[str], start: int, end: int, path: str) -> CardSource:
    card_id = CARD_HEADING.match(lines[start]).group(1)  # type: ignore[union-attr]
    if not ID_RE.match(card_id):
        raise DeckError(
            path, start + 1, f"card id '{card_id}' must be lowercase letters, digits and dashes"
        )
    keys: dict[str, tuple[str, int]] = {}
    i = start + 1
    while i < end and lines[i].strip():
        match = KEY_LINE.match(lines[i].strip())
        if not match:
            break
        keys[match.group(1)] = (match.group(2), i + 1)
        i += 1
    unknown = set(keys) - {"kind", "tags", "python"}
    if unknown:
        key = sorted(unknown)[0]
        raise DeckError(
            path, keys[key][1], f"unknown card key '{key}' (use 'kind', 'tags' and 'python')"
        )
    kind, kind_line = keys.get("kind", ("", start + 1))
    if kind not in KINDS:
        raise DeckError(
            path, kind_line, f"card '{card_id}': 'kind:' must be one of {', '.join(KINDS)}"
        )
    tags = [t.strip() for t in keys.get("tags", ("", 0))[0].split(",") if t.strip()]
    card = CardSource(id=card_id, kind=kind, line=start + 1, tags=tags)
    if "python" in keys:
        text, line = keys["python"]
        try:
            # Unquoted, as key lines are written (python: 3.13), or YAML (["3.11", "3.12"]).
            value = text if PYTHON_RE.match(text) else yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        card.python = python_versions(value) or []
        if not card.python:
            raise DeckError(path, line, f"card '{card_id}': {PYTHON_PROBLEM}")
        if not KINDS[kind].proven:
            raise DeckError(path, line, f"card '{card_id}': a {kind} card runs no code")

    sections = _sections(lines, i, end, path, card_id)
    names = [name for name, _, _ in sections]
    for name, line, _ in sections:
        base = name.split(":", 1)[0].strip()
        if base not in KINDS[kind].sections:
            raise DeckError(path, line, f"card '{card_id}': a {kind} card has no '{name}' section")
        if base != "Wrong" and names.count(name) > 1:
            raise DeckError(path, line, f"card '{card_id}': section '{name}' appears twice")
    for required in KINDS[kind].required:
        if required not in names:
            raise DeckError(
                path, start + 1, f"card '{card_id}': a {kind} card needs a '### {required}' section"
            )
    for name, line, body in sections:
        _fill_section(card, name, line, body, path)
    if "Wrong" in KINDS[kind].sections and not card.wrong:
        raise DeckError(
            path,
            start + 1,
            f"card '{card_id}': a {kind} card needs at least one '### Wrong: <check>' solution",
        )
    return card


def _sections(
    lines: list[str], start: int, end: int, path: str, card_id: str
) -> list[tuple[str, int, list[str]]]:
    fenced = _fenced_lines(lines, start, end)
    sections: list[tuple[str, int, list[str]]] = []
    for offset, line in enumerate(lines[start:end]):
        match = None if fenced[offset] else SECTION_HEADING.match(line)
        if match:
            sections.append((match.group(1), start + offset + 1, []))
        elif sections:
            sections[-1][2].append(line)
        elif line.strip():
            raise DeckError(
                path,
                start + offset + 1,
                f"card '{card_id}': text outside a section (start one with '### Front')",
            )
    return sections


def _fill_section(card: CardSource, name: str, line: int, body: list[str], path: str) -> None:
    text = "\n".join(body).strip("\n")
    base, _, arg = name.partition(":")
    base, arg = base.strip(), arg.strip()
    where = f"card '{card.id}', section '{base}'"
    if base in ("Front", "Back"):
        if not text.strip():
            raise DeckError(path, line, f"{where} is empty")
        setattr(card, base.lower(), text.strip())
    elif base == "Options":
        for n, item in _list_lines(body, line):
            match = CHOICE_ITEM.match(item)
            if not match:
                raise DeckError(
                    path, n, f"{where}: write options as '- [x] right' or '- [ ] wrong'"
                )
            card.options.append({"text": match.group(2), "correct": match.group(1) in "xX"})
        if len(card.options) < 2 or not any(o["correct"] for o in card.options):
            raise DeckError(path, line, f"{where}: give two or more options, at least one [x]")
    elif base in ("Answers", "Items", "Hints"):
        values = []
        for n, item in _list_lines(body, line):
            match = LIST_ITEM.match(item)
            if not match:
                raise DeckError(path, n, f"{where}: write one list item per line ('- ...')")
            values.append(match.group(1))
        if not values or (base == "Items" and len(values) < 2):
            raise DeckError(path, line, f"{where}: the list is empty or too short")
        setattr(card, base.lower(), values)
    elif base in ("Snippet", "Starter", "Solution", "Wrong"):
        code = _single_code_block(body, line, path, where)
        if base == "Wrong":
            if not arg:
                raise DeckError(
                    path, line, f"{where}: name the check it fails: '### Wrong: <check>'"
                )
            card.wrong.append(WrongSolution(check=arg, code=code))
        else:
            setattr(card, base.lower(), code)
    elif base == "Equivalent mutants":
        card.equivalent_mutants, bad = read_equivalent(_list_lines(body, line))
        if bad:
            raise DeckError(
                path,
                bad[0],
                f"{where}: write one '- <operator>@<line>: reason' a line, each mutant once",
            )
    elif base == "Checks":
        source = _single_code_block(body, line, path, where)
        try:
            checks = load_yaml(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise DeckError(
                path, line + 2 + (mark.line if mark else 0), f"{where}: not valid YAML: {exc}"
            ) from None
        if not isinstance(checks, dict) or not checks:
            raise DeckError(path, line, f"{where}: give the checks as 'name: value' lines")
        try:
            validate(checks)
        except SpecError as error:
            raise DeckError(path, _key_line(body, line, error.key), f"{where}: {error}") from None
        card.checks = checks


def read_equivalent(lines: list[tuple[int, str]]) -> tuple[dict[str, str], list[int]]:
    """`- <operator>@<line>: reason` lines as {id: reason}, and the numbers of bad lines."""
    found: dict[str, str] = {}
    bad = []
    for number, text in lines:
        match = EQUIVALENT_ITEM.match(text)
        if match and match.group(1) not in found:
            found[match.group(1)] = match.group(2).strip()
        else:
            bad.append(number)
    return found, bad


def _key_line(body: list[str], heading_line: int, key: str | None) -> int:
    """The file line where a top-level key of a section's YAML block is written."""
    for n, text in enumerate(body):
        if key is not None and re.match(rf"{re.escape(key)}\s*:", text):
            return heading_line + 1 + n
    return heading_line


def _list_lines(body: list[str], heading_line: int) -> list[tuple[int, str]]:
    return [(heading_line + 1 + n, item.strip()) for n, item in enumerate(body) if item.strip()]


def _single_code_block(body: list[str], heading_line: int, path: str, where: str) -> str:
    content = [(n, line) for n, line in enumerate(body) if line.strip()]
    if not content or not FENCE.match(content[0][1].strip()):
        raise DeckError(path, heading_line, f"{where}: put the code in one fenced ``` block")
    first = content[0][0]
    fence = FENCE.match(body[first].strip()).group(1)  # type: ignore[union-attr]
    for n in range(first + 1, len(body)):
        if body[n].strip() == fence:
            if any(line.strip() for line in body[n + 1 :]):
                raise DeckError(
                    path, heading_line + 2 + n, f"{where}: only one code block is allowed here"
                )
            return "\n".join(body[first + 1 : n]) + "\n"
    raise DeckError(path, heading_line + 1 + first, f"{where}: the code block is not closed")


def write_deck_text(deck: DeckSource) -> str:
    """The file text for a deck, in the format parse_deck_text reads (for downloads)."""
    meta: dict[str, Any] = {"deck": deck.deck, "language": deck.language, "title": deck.title}
    if deck.description:
        meta["description"] = deck.description
    meta.update(deck.settings)
    if deck.python:
        meta["python"] = _python_value(deck.python)
    out = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip(), "---", ""]
    for card in deck.cards:
        out += [f"## {card.id}", f"kind: {card.kind}"]
        if card.tags:
            out.append(f"tags: {', '.join(card.tags)}")
        if card.python and card.python != deck.python:
            value = yaml.safe_dump(_python_value(card.python), default_flow_style=True)
            out.append(f"python: {value.strip().removesuffix('...').strip()}")
        out.append("")
        for section in KINDS[card.kind].sections:
            out += _WRITERS[section](card)
    return "\n".join(out).rstrip("\n") + "\n"


def _python_value(python: list[str]) -> str | list[str]:
    return python[0] if len(python) == 1 else list(python)


def _list(heading: str, values: list[str], numbered: bool = False) -> list[str]:
    items = [f"{n}. {v}" if numbered else f"- {v}" for n, v in enumerate(values, 1)]
    return [f"### {heading}", *items, ""]


def _code_section(heading: str, code: str, language: str = "python") -> list[str]:
    return [f"### {heading}", *_code_block(code, language), ""]


def _text_section(heading: str, text: str) -> list[str]:
    return [f"### {heading}", text, ""]


# Each section as deck files write it (those a card may leave out, only when it has them).
_WRITERS: dict[str, Callable[[CardSource], list[str]]] = {
    "Front": lambda card: _text_section("Front", card.front),
    "Back": lambda card: _text_section("Back", card.back) if card.back else [],
    "Options": lambda card: [
        "### Options",
        *[f"- [{'x' if o['correct'] else ' '}] {o['text']}" for o in card.options],
        "",
    ],
    "Answers": lambda card: _list("Answers", card.answers),
    "Items": lambda card: _list("Items", card.items, numbered=True),
    "Snippet": lambda card: _code_section("Snippet", card.snippet),
    "Starter": lambda card: _code_section("Starter", card.starter),
    "Solution": lambda card: _code_section("Solution", card.solution),
    "Wrong": lambda card: [
        line for w in card.wrong for line in _code_section(f"Wrong: {w.check}", w.code)
    ],
    "Checks": lambda card: _code_section(
        "Checks", yaml.safe_dump(card.checks, allow_unicode=True, sort_keys=False), "yaml"
    ),
    "Equivalent mutants": lambda card: (
        _list("Equivalent mutants", [f"{k}: {v}" for k, v in card.equivalent_mutants.items()])
        if card.equivalent_mutants
        else []
    ),
    "Hints": lambda card: _list("Hints", card.hints) if card.hints else [],
}


def _code_block(code: str, language: str = "python") -> list[str]:
    fence = "```"
    while fence in code:
        fence += "`"
    return [f"{fence}{language}", code.rstrip("\n"), fence]
