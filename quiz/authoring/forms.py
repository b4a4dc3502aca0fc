"""Forms teachers fill in: decks, cards of every kind, copies and uploaded deck files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quiz import roles
from quiz.authoring.service import CardDraft
from quiz.decks.fileformat import (
    CHOICE_ITEM,
    ID_RE,
    LIST_ITEM,
    MAX_DESCRIPTION,
    MAX_TITLE,
    load_yaml,
    read_equivalent,
)
from quiz.kinds import KINDS, CardContent
from quiz.models import Deck, Status
from runner.checks import SpecError, validate

LANGUAGE_NAMES = dict(settings.LANGUAGES)
# Lengths of what teachers type (characters), and how many wrong solutions a code card has.
MAX_TEXT = 10_000
MAX_CODE = 20_000
MAX_CHECKS = 5_000
MAX_WRONG = 20
# Code fields become CodeMirror editors (quiz/static/quiz/editor.js) where JavaScript runs.
CODE_ATTRS = {"rows": 10, "spellcheck": "false", "class": "code", "data-editor": ""}


def _slug_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=50,
        help_text=_("Lowercase letters, digits and dashes. It never changes."),
        validators=[_valid_id],
    )


def _valid_id(value: str) -> None:
    if not ID_RE.match(value):
        raise ValidationError(_("Use lowercase letters, digits and dashes only."))


def _new_deck_slug(value: str) -> str:
    if Deck.objects.filter(slug=value).exists():
        raise ValidationError(_("A deck with this id exists already."))
    return value


class DeckForm(forms.Form):
    """A deck's id (when new), its languages and a title and description in each."""

    slug = _slug_field(_("Deck id"))
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        initial=["en"],
    )

    def __init__(self, *args: Any, deck: Deck | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deck = deck
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=MAX_TITLE,
                required=False,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=MAX_DESCRIPTION,
                required=False,
            )
        if deck is not None:
            del self.fields["slug"]
            self.fields["status"] = forms.ChoiceField(
                label=_("Learners see it"), choices=Status.choices
            )
            self.fields["desired_retention"] = forms.FloatField(
                label=_("Desired retention"), min_value=0.7, max_value=0.97
            )
            self.fields["new_per_day"] = forms.IntegerField(
                label=_("New cards per day"), min_value=0, max_value=1000
            )
            self.fields["reviews_per_day"] = forms.IntegerField(
                label=_("Maximum reviews per day"), min_value=1, max_value=100000
            )
            self.fields["coauthors"] = forms.ModelMultipleChoiceField(
                label=_("Co-authors"),
                help_text=_("Teachers who may edit this deck with you."),
                queryset=roles.teachers().exclude(pk=deck.owner_id).order_by("username"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.initial.update(
                languages=deck.languages,
                status=deck.status,
                desired_retention=deck.desired_retention,
                new_per_day=deck.new_per_day,
                reviews_per_day=deck.reviews_per_day,
                coauthors=list(deck.coauthors.all()),
            )
            for text in deck.texts.all():
                self.initial[f"title_{text.language}"] = text.title
                self.initial[f"description_{text.language}"] = text.description

    def clean_slug(self) -> str:
        return _new_deck_slug(self.cleaned_data["slug"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for language in data.get("languages", []):
            if not data.get(f"title_{language}", "").strip():
                self.add_error(f"title_{language}", _("Give the deck a title in this language."))
        return data

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            language: {
                "title": self.cleaned_data[f"title_{language}"].strip(),
                "description": self.cleaned_data[f"description_{language}"].strip(),
            }
            for language in self.cleaned_data["languages"]
        }

    def deck_fields(self) -> dict[str, Any]:
        names = ("status", "desired_retention", "new_per_day", "reviews_per_day")
        return {name: self.cleaned_data[name] for name in names}


class CopyDeckForm(forms.Form):
    slug = _slug_field(_("Id of the copy"))

    def clean_slug(self) -> str:
        return _new_deck_slug(self.cleaned_data["slug"])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def read_list(text: str) -> list[str]:
    """One item per line; a leading "- " or "1. " is dropped, as in a deck file."""
    items = []
    for line in _lines(text):
        match = LIST_ITEM.match(line)
        items.append(match.group(1) if match else line)
    return items


def read_options(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Choice options written "[x] right" / "[ ] wrong" (a leading "- " is optional)."""
    options, bad = [], []
    for line in _lines(text):
        match = CHOICE_ITEM.match(line if line.startswith(("-", "*")) else f"- {line}")
        if match:
            options.append({"text": match.group(2), "correct": match.group(1) in "xX"})
        else:
            bad.append(line)
    return options, bad


def write_options(options: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{'x' if o['correct'] else ' '}] {o['text']}" for o in options)


def code_text(text: str) -> str:
    """Code as deck files keep it: Unix newlines, one final newline."""
    text = text.replace("\r\n", "\n").rstrip()
    return text + "\n" if text.strip() else ""


class WrongSolutionForm(forms.Form):
    check = forms.CharField(
        label=_("Check it must fail"),
        max_length=50,
        required=False,
        help_text=_("The name of one of the checks, e.g. virtual_seconds."),
    )
    code = forms.CharField(
        label=_("Wrong solution"),
        widget=forms.Textarea(attrs={**CODE_ATTRS, "aria-label": _("Wrong solution")}),
        max_length=MAX_CODE,
        required=False,
        strip=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("code", "").strip() and not data.get("check"):
            self.add_error("check", _("Name the check this solution must fail."))
        return data


class BaseWrongSolutionFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("Give at most %(num)d wrong solutions."),
    }


# validate_max refuses more than MAX_WRONG; absolute_max keeps Django from building more forms.
WrongSolutionFormSet = forms.formset_factory(
    WrongSolutionForm,
    formset=BaseWrongSolutionFormSet,
    extra=1,
    max_num=MAX_WRONG,
    validate_max=True,
    absolute_max=MAX_WRONG,
)

LABELS = {
    "front": _("Question"),
    "back": _("Answer or explanation"),
    "options": _("Options, one a line: [x] right, [ ] wrong"),
    "answers": _("Accepted answers, one a line"),
    "items": _("Items in the right order, one a line"),
    "hints": _("Hints, one a line, shown one at a time"),
    "snippet": _("Snippet (its output is produced by running it when you save)"),
    "starter": _("Starter code"),
    "solution": _("Reference solution"),
}
# How a content field written once per language is read from its text box.
READERS: dict[str, Callable[[str], Any]] = {
    "options": lambda text: read_options(text)[0],
    "answers": read_list,
    "items": read_list,
    "hints": read_list,
}


class CardForm(forms.Form):
    """A card of one kind, in each of its deck's languages; code is shared by the languages."""

    key = _slug_field(_("Card id"))
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    checks = forms.CharField(
        label=_("Checks (YAML)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        max_length=MAX_CHECKS,
        required=False,
    )
    equivalent_mutants = forms.CharField(
        label=_("Equivalent mutants"),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "code"}),
        required=False,
        help_text=_(
            "One a line, “operator@line: why it behaves as the solution does”, for a mutant "
            "that Run checks lists and that no check could tell from the solution."
        ),
    )
    publish = forms.BooleanField(label=_("Published: learners see this card"), required=False)
    changes_meaning = forms.BooleanField(
        label=_("This edit changes the meaning: learners start this card over"),
        required=False,
    )
    confirm_reset = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, deck: Deck, kind: str, card: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deck, self.kind, self.card = deck, kind, card
        self.spec = KINDS[kind]
        self.languages = list(deck.languages) or ["en"]
        for language in self.languages:
            name = LANGUAGE_NAMES.get(language, language)
            for part in self.spec.editor:
                rows = 3 if part in ("front", "back") else 5
                self.fields[f"{part}_{language}"] = forms.CharField(
                    label=f"{LABELS[part]} ({name})",
                    widget=forms.Textarea(attrs={"rows": rows}),
                    max_length=MAX_TEXT,
                    required=part == "front" or (part == "back" and self.spec.back_required),
                    strip=False,
                )
        for part in self.spec.code:
            self.fields[part] = forms.CharField(
                label=LABELS[part],
                widget=forms.Textarea(attrs={**CODE_ATTRS, "aria-label": LABELS[part]}),
                max_length=MAX_CODE,
                strip=False,
            )
        if not self.spec.checked:
            del self.fields["checks"], self.fields["equivalent_mutants"]
        else:
            self.fields["checks"].required = True
        if card is None:
            del self.fields["changes_meaning"], self.fields["confirm_reset"]
        else:
            del self.fields["key"]
            self._fill_from(card)
        data = self.data if self.is_bound else None
        initial_wrong = self.initial.pop("wrong", [])
        self.wrong = WrongSolutionFormSet(data, prefix="wrong", initial=initial_wrong)

    def _fill_from(self, card: Any) -> None:
        self.initial.update(tags=", ".join(card.tags), publish=card.status == Status.PUBLISHED)
        for text in card.texts.all():
            content, language = text.content, text.language
            self.initial[f"front_{language}"] = content.get("front", "")
            self.initial[f"back_{language}"] = content.get("back", "")
            self.initial[f"options_{language}"] = write_options(content.get("options", []))
            self.initial[f"answers_{language}"] = "\n".join(content.get("answers", []))
            self.initial[f"items_{language}"] = "\n".join(content.get("items", []))
            self.initial[f"hints_{language}"] = "\n".join(content.get("hints", []))
            for part in ("snippet", "starter", "solution"):
                self.initial.setdefault(part, content.get(part, ""))
            if "checks" in content:
                checks = yaml.safe_dump(content["checks"], allow_unicode=True, sort_keys=False)
                self.initial.setdefault("checks", checks)
            self.initial.setdefault("wrong", content.get("wrong", []))
            equivalent = content.get("equivalent_mutants") or {}
            self.initial.setdefault(
                "equivalent_mutants", "\n".join(f"{k}: {v}" for k, v in equivalent.items())
            )

    def language_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Per language, its name and its fields (for the editor's columns)."""
        return [
            (
                LANGUAGE_NAMES.get(language, language),
                [self[f"{part}_{language}"] for part in self.spec.editor],
            )
            for language in self.languages
        ]

    def code_fields(self) -> list[forms.BoundField]:
        return [self[part] for part in self.spec.code]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if self.deck.cards.filter(key=key).exists():
            raise ValidationError(_("This deck has a card with this id already."))
        return key

    def clean_checks(self) -> dict[str, Any]:
        try:
            checks = load_yaml(self.cleaned_data["checks"])
        except yaml.YAMLError as error:
            raise ValidationError(_("Not valid YAML: %(error)s") % {"error": error}) from None
        if not isinstance(checks, dict) or not checks:
            raise ValidationError(_("Write the checks as “name: setting” lines."))
        try:
            validate(checks)
        except SpecError as error:
            raise ValidationError(str(error)) from None
        return checks

    def clean_equivalent_mutants(self) -> dict[str, str]:
        lines = list(enumerate(self.cleaned_data["equivalent_mutants"].splitlines(), 1))
        found, bad = read_equivalent([(n, text.strip()) for n, text in lines if text.strip()])
        if bad:
            raise ValidationError(
                _("Line %(line)s: write “operator@line: reason”, each mutant once.")
                % {"line": bad[0]}
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for language in self.languages:
            self._clean_lists(data, language)
        if self.spec.checked:
            self._clean_wrong(data)
        return data

    def _clean_lists(self, data: dict[str, Any], language: str) -> None:
        if f"options_{language}" in data:
            options, bad = read_options(data[f"options_{language}"])
            if bad:
                self.add_error(
                    f"options_{language}",
                    _("Start each option with [x] (right) or [ ] (wrong): %(line)s")
                    % {"line": bad[0]},
                )
            elif len(options) < 2 or not any(o["correct"] for o in options):
                self.add_error(
                    f"options_{language}", _("Give two or more options, at least one [x].")
                )
        for part, least in (("answers", 1), ("items", 2)):
            name = f"{part}_{language}"
            if name in data and len(read_list(data[name])) < least:
                message = (
                    _("Give at least one accepted answer.")
                    if part == "answers"
                    else _("Give at least two items.")
                )
                self.add_error(name, message)

    def _clean_wrong(self, data: dict[str, Any]) -> None:
        if not self.wrong.is_valid():
            too_many = self.wrong.non_form_errors()
            raise ValidationError(too_many or _("Fix the wrong solutions below."))
        solutions = self.wrong_solutions()
        if not solutions:
            raise ValidationError(
                _("A code card needs at least one wrong solution that fails a check.")
            )
        checks = data.get("checks") or {}
        for n, solution in enumerate(solutions, 1):
            if checks and solution["check"] not in checks:
                raise ValidationError(
                    _("Wrong solution %(n)s names “%(check)s”, which is not one of the checks.")
                    % {"n": n, "check": solution["check"]}
                )

    def wrong_solutions(self) -> list[dict[str, str]]:
        return [
            {
                "check": form.cleaned_data["check"].strip(),
                "code": code_text(form.cleaned_data["code"]),
            }
            for form in self.wrong.forms
            if form.cleaned_data.get("code", "").strip()
        ]

    def draft(self) -> CardDraft:
        """The card as the deck stores it: one content dict per language."""
        data = self.cleaned_data
        contents: dict[str, CardContent] = {}
        for language in self.languages:
            content: dict[str, Any] = {
                "front": data[f"front_{language}"].strip(),
                "back": data.get(f"back_{language}", "").strip(),
            }
            for name in self.spec.fields:
                content[name] = self._content_field(name, language)
            contents[language] = content  # type: ignore[assignment]
        key = self.card.key if self.card else data["key"]
        tags = [tag.strip() for tag in data.get("tags", "").split(",") if tag.strip()]
        return CardDraft(key=key, kind=self.kind, tags=tags, contents=contents)

    def _content_field(self, name: str, language: str) -> Any:
        """One field of the kind's content, as typed (code and checks are shared by languages)."""
        data = self.cleaned_data
        if name in self.spec.code:
            return code_text(data[name])
        if name == "wrong":
            return self.wrong_solutions()
        if name in ("checks", "equivalent_mutants"):
            return data[name]
        return READERS[name](data.get(f"{name}_{language}", ""))

    def preview(self) -> list[dict[str, Any]]:
        """What learners would see in each language, read leniently from what is typed so far."""
        raw = self.data if self.is_bound else {n: self[n].value() or "" for n in self.fields}
        shown = []
        for language in self.languages:
            options = read_options(raw.get(f"options_{language}", ""))[0]
            shown.append(
                {
                    "language": LANGUAGE_NAMES.get(language, language),
                    "front": raw.get(f"front_{language}", ""),
                    "back": raw.get(f"back_{language}", ""),
                    "options": options,
                    "multiple": sum(o["correct"] for o in options) > 1,
                    "items": read_list(raw.get(f"items_{language}", "")),
                    "hints": read_list(raw.get(f"hints_{language}", "")),
                    "snippet": code_text(raw.get("snippet", "")),
                    "starter": code_text(raw.get("starter", "")),
                }
            )
        return shown


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,text/markdown"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DeckFilesForm(forms.Form):
    """One or more deck files (one per language) to preview and then apply."""

    files = MultipleFileField(label=_("Deck files (.md), one per language"))

    def clean_files(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for upload in self.cleaned_data["files"]:
            if upload.size > settings.DECK_FILE_MAX_BYTES:
                raise ValidationError(_("%(name)s is too large.") % {"name": upload.name})
            try:
                texts[upload.name] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(
                    _("%(name)s is not UTF-8 text.") % {"name": upload.name}
                ) from None
        if not texts:
            raise ValidationError(_("Choose at least one deck file."))
        return texts


class ApplyUploadForm(forms.Form):
    """The previewed files, sent back unchanged to be applied."""

    names = forms.JSONField(widget=forms.HiddenInput)
    texts = forms.JSONField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        names, texts = data.get("names"), data.get("texts")
        if not (
            isinstance(names, list)
            and isinstance(texts, list)
            and len(names) == len(texts)
            and all(isinstance(x, str) for x in names + texts)
        ):
            raise ValidationError(_("The upload could not be read; upload the files again."))
        return data

    def files_to_apply(self) -> dict[str, str]:
        return dict(zip(self.cleaned_data["names"], self.cleaned_data["texts"], strict=True))
