"""Plurals and dates per language, from CLDR through Babel: never "1 days" in any language.

A text that depends on a number is a `Plural` in messages/: one form per CLDR plural category of
the language ("one" and "other" in English; "one", "few", "many" and "other" in Russian). Which
forms a language needs comes from Babel, so the start-up validation can tell a missing one.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import tomli
from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

DEFAULT_LANGUAGE = "en"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def plural_category(n: float, language: str = DEFAULT_LANGUAGE) -> str:
    """The CLDR plural category of `n` in the language: "one", "few", "many" or "other"."""
    return str(_locale(language).plural_form(abs(n)))


def plural_categories(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Every category a plural text needs in the language ("other" always among them)."""
    return frozenset(_locale(language).plural_form.tags) | {"other"}


def format_day(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """A short date with its weekday, as people write it in the language ("Sun 6 Dec")."""
    return _babel_format_date(day, "EEE d MMM", locale=_locale(language))


def weekday_name(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """The weekday's short name ("Sun")."""
    return _babel_format_date(day, "EEE", locale=_locale(language))


def chart_day(day: date, language: str = DEFAULT_LANGUAGE) -> str:
    """A chart's bar label: the weekday over the day and month ("Sun" / "6 Dec")."""
    day_month = _babel_format_date(day, "d MMM", locale=_locale(language))
    return f"{weekday_name(day, language)}\n{day_month}"


def _fields(text: str) -> frozenset[str]:
    return frozenset(
        f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f
    )


class Plural(BaseModel):
    """A text with one form per plural category; `{n}` is the number, other fields as given.

    In messages/ it is a table: `streak = { one = "{n} day in a row", other = "{n} days in a
    row" }`. The "one" form may leave `{n}` out ("a day in a row"); otherwise every form uses
    the same placeholders.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    zero: str | None = None
    one: str | None = None
    two: str | None = None
    few: str | None = None
    many: str | None = None
    other: str
    language: str = DEFAULT_LANGUAGE

    def forms(self) -> dict[str, str]:
        """The forms given, by category."""
        given = {
            "zero": self.zero,
            "one": self.one,
            "two": self.two,
            "few": self.few,
            "many": self.many,
            "other": self.other,
        }
        return {k: v for k, v in given.items() if v is not None}

    @model_validator(mode="before")
    @classmethod
    def _language_of_file(cls, data: Any, info: ValidationInfo) -> Any:
        # A messages/<lang>/ file is validated with {"language": lang}: its plurals need that
        # language's forms.
        context = info.context or {}
        if isinstance(data, dict) and "language" not in data and context.get("language"):
            return {**data, "language": context["language"]}
        return data

    @model_validator(mode="after")
    def _complete(self) -> Plural:
        forms = self.forms()
        missing = plural_categories(self.language) - set(forms)
        if missing:
            raise ValueError(
                f"plural text needs the form(s) {', '.join(sorted(missing))} "
                f"for language {self.language!r}"
            )
        fields = {k: _fields(v) for k, v in forms.items()}
        expected = fields["other"]
        if "n" not in expected:
            raise ValueError("the 'other' form of a plural text must show the number as {n}")
        for category, found in fields.items():
            if found - {"n"} != expected - {"n"}:
                raise ValueError(
                    f"plural form {category!r} uses {sorted(found)}, 'other' uses "
                    f"{sorted(expected)}: every form needs the same placeholders"
                )
        return self

    def format(self, n: float, **fields: Any) -> str:
        """The form for `n`, filled in (`{n}` shows n; a whole float shows without ".0", a
        fraction with the language's decimal sign: "1.5" in English, "1,5" in Spanish)."""
        forms = self.forms()
        text = forms.get(plural_category(n, self.language), self.other)
        shown: Any = (
            int(n) if float(n).is_integer() else format_decimal(n, locale=_locale(self.language))
        )
        return text.format(n=shown, **fields)


_T = TypeVar("_T")


def load_word_file(
    path: Path, error: type[Exception], build: Callable[[Mapping[str, Any]], _T]
) -> _T:
    """Read a messages/<lang>/ word file (times.toml, places.toml) and build it; a missing or
    malformed file raises `error` naming the file, so the start stops."""
    try:
        return build(tomli.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except tomli.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        message = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise error(f"{path}: {message}") from None
