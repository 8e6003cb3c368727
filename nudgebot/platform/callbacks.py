"""Typed callback data: one frozen dataclass per kind of button, and the one place that turns
them into the string Telegram carries (at most 64 bytes) and back.

Telegram-free on purpose: views and services build buttons as (label, pack(kind)) pairs. The
wire format is the one already in people's chats and in queued outbox rows ("tip:more",
"ob:tz:Europe/Berlin", "fq:12:x", "rem:skip"): a change to it must keep reading the old form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

# The questions of onboarding and /settings a button can answer (their rules live in
# features/subscribers/preferences.py, which takes these names from here).
Step = Literal["tz", "time", "topics", "profile", "evening"]
STEPS: tuple[Step, ...] = ("tz", "time", "topics", "profile", "evening")


MAX_CALLBACK_BYTES: Final = 64  # Telegram refuses a button with longer callback_data

# ------------------------------------------------------------------ onboarding and settings


@dataclass(frozen=True, slots=True)
class OnboardingAnswer:
    """A question's button ('ob:<step>:<value>'); the value is checked by the service."""

    step: Step
    value: str  # a zone, "08:00", a topic, "age=31-50", "done", "back", "retype", "off", ...


@dataclass(frozen=True, slots=True)
class SettingsOpen:
    """/settings: open one preference's question ('set:<step>')."""

    step: Step


@dataclass(frozen=True, slots=True)
class SettingsClose:
    """Cancel on a settings question: keep the preference as it was ('set:close')."""


@dataclass(frozen=True, slots=True)
class WeeklySummarySwitch:
    """Switch the weekly summary to the state asked for ('set:weekly:on' / 'set:weekly:off')."""

    on: bool


@dataclass(frozen=True, slots=True)
class LanguageMenu:
    """The "Language" button in /settings: show the languages ('lang')."""


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    """/language: speak this language from now on ('lang:<code>'); checked by the handler."""

    language: str


@dataclass(frozen=True, slots=True)
class Pause:
    """Pause the tips for this many days, 0 meaning until /resume ('pause:<days>')."""

    days: int


# ------------------------------------------------------------------ tips


@dataclass(frozen=True, slots=True)
class TipHelpful:
    """👍 under a tip ('tip:up:<tip num>')."""

    num: int


@dataclass(frozen=True, slots=True)
class TipMore:
    """ "Another tip" ('tip:more')."""


@dataclass(frozen=True, slots=True)
class TipSnooze:
    """ "Snooze 1 day" ('tip:snooze')."""


@dataclass(frozen=True, slots=True)
class CheckinMenu:
    """The check-in button under a daily tip: opens the one-tap menu ('checkin')."""


# ------------------------------------------------------------------ meals
# Every meal button names a stored row or a food, never a position in a list shown once, so a
# button tapped hours later still does what it says.


@dataclass(frozen=True, slots=True)
class FoodQuestionAnswer:
    """A "did you mean" button: option `choice`, or None for "None of these" ('fq:<id>:<n|x>')."""

    question_id: int
    choice: int | None


@dataclass(frozen=True, slots=True)
class RepeatMeal:
    """Log a past check-in's meal again ('qm:<check-in id>')."""

    checkin_id: int


@dataclass(frozen=True, slots=True)
class AddFood:
    """Log an everyday addition ('qa:<food id>')."""

    food_id: str


@dataclass(frozen=True, slots=True)
class QuickCancel:
    """Close the one-tap menu ('qx')."""


@dataclass(frozen=True, slots=True)
class SetAmount:
    """Set one food of a check-in to this many grams ('cp:<check-in id>:<index>:<grams>')."""

    checkin_id: int
    index: int
    grams: float

    def __post_init__(self) -> None:
        # The button carries tenths of a gram: hold the value it will read back as.
        object.__setattr__(self, "grams", round(self.grams, 1))


@dataclass(frozen=True, slots=True)
class ChangeAmounts:
    """ "Change amounts": show a row per food of the check-in ('cm:<check-in id>')."""

    checkin_id: int


@dataclass(frozen=True, slots=True)
class UndoCheckin:
    """Undo under a check-in's reply ('cu:<check-in id>')."""

    checkin_id: int


@dataclass(frozen=True, slots=True)
class UndoFromToday:
    """Undo from /today, which is then shown again ('tu:<check-in id>')."""

    checkin_id: int


# ------------------------------------------------------------------ reminders and privacy


@dataclass(frozen=True, slots=True)
class NotToday:
    """ "Not today" under the evening reminder ('rem:skip')."""


@dataclass(frozen=True, slots=True)
class Forget:
    """/forget's answer: erase everything, or keep it ('forget:yes' / 'forget:no')."""

    confirm: bool


# ------------------------------------------------------------------ admin


@dataclass(frozen=True, slots=True)
class AdminCancel:
    """Drop the admin's draft ('adm:cancel')."""


@dataclass(frozen=True, slots=True)
class AdminTopic:
    """/addtip: the new tip's topic ('adm:topic:<topic>'); checked by the service."""

    topic: str


@dataclass(frozen=True, slots=True)
class AdminLanguage:
    """/addtip or /broadcast: add the text in this language next ('adm:lang:<code>')."""

    language: str


@dataclass(frozen=True, slots=True)
class AdminLanguagesDone:
    """/broadcast: no more languages, on to the audience ('adm:langdone')."""


@dataclass(frozen=True, slots=True)
class AdminSave:
    """/addtip: save the previewed tip ('adm:save')."""


@dataclass(frozen=True, slots=True)
class AdminTipcast:
    """Broadcast a just-saved tip ('adm:tipcast:<tip id>')."""

    tip_id: str


@dataclass(frozen=True, slots=True)
class AdminAudience:
    """A broadcast's audience: "all" or a topic ('adm:aud:<audience>'); checked by the service."""

    audience: str


@dataclass(frozen=True, slots=True)
class AdminSend:
    """Send the previewed broadcast, paid or not ('adm:send' / 'adm:sendpaid')."""

    paid: bool


@dataclass(frozen=True, slots=True)
class AdminTipsPage:
    """Another page of /tips with the same search ('adm:tips:<page>:<search>')."""

    page: int
    search: str

    @classmethod
    def fitting(cls, page: int, search: str) -> AdminTipsPage:
        """The page with its search cut (never inside a character) to fit in the 64 bytes."""
        room = MAX_CALLBACK_BYTES - len(pack(cls(page, "")).encode())
        return cls(page, search.encode()[: max(room, 0)].decode("utf-8", errors="ignore"))


Callback: TypeAlias = (
    OnboardingAnswer
    | SettingsOpen
    | SettingsClose
    | WeeklySummarySwitch
    | LanguageMenu
    | LanguageChoice
    | Pause
    | TipHelpful
    | TipMore
    | TipSnooze
    | CheckinMenu
    | FoodQuestionAnswer
    | RepeatMeal
    | AddFood
    | QuickCancel
    | SetAmount
    | ChangeAmounts
    | UndoCheckin
    | UndoFromToday
    | NotToday
    | Forget
    | AdminCancel
    | AdminTopic
    | AdminSave
    | AdminLanguage
    | AdminLanguagesDone
    | AdminTipcast
    | AdminAudience
    | AdminSend
    | AdminTipsPage
)

# The kinds one handler reads, for its registration (`pattern(*SETTINGS_BUTTONS)`).
SETTINGS_BUTTONS: Final = (SettingsOpen, SettingsClose, WeeklySummarySwitch)
LANGUAGE_BUTTONS: Final = (LanguageMenu, LanguageChoice)
TIP_BUTTONS: Final = (TipHelpful, TipMore, TipSnooze)
MEAL_TAPS: Final = (
    RepeatMeal,
    AddFood,
    QuickCancel,
    SetAmount,
    ChangeAmounts,
    UndoCheckin,
    UndoFromToday,
)
ADMIN_BUTTONS: Final = (
    AdminCancel,
    AdminTopic,
    AdminSave,
    AdminLanguage,
    AdminLanguagesDone,
    AdminTipcast,
    AdminAudience,
    AdminSend,
    AdminTipsPage,
)

# ------------------------------------------------------------------ the wire format

_ROW_ID = "([0-9]{1,18})"  # a BigInteger row id: 18 digits always fit
_TIP_NUM = "([0-9]{1,9})"  # tips.num is a 32-bit integer
_FIELD = "([^:]+)"  # one field without a colon
_STEP = "(" + "|".join(re.escape(step) for step in STEPS) + ")"
_STEPS: Final[dict[str, Step]] = {step: step for step in STEPS}


@dataclass(frozen=True, slots=True)
class _Codec:
    """How one kind is written: its prefix, then `fields` (None: the prefix alone)."""

    prefix: str
    fields: str | None
    read: Callable[[re.Match[str]], Callback]
    write: Callable[[Any], str]  # the fields part, from an instance of the kind

    def form(self) -> re.Pattern[str]:
        """The whole data of this kind."""
        tail = "" if self.fields is None else ":" + self.fields
        return re.compile(re.escape(self.prefix) + tail, re.DOTALL)


def _grams(value: float) -> str:
    return f"{value:g}"


def _choice(text: str) -> int | None:
    return None if text == "x" else int(text)


_CODECS: Final[dict[type[Any], _Codec]] = {
    OnboardingAnswer: _Codec(
        "ob",
        rf"{_STEP}:(.+)",
        lambda m: OnboardingAnswer(_STEPS[m[1]], m[2]),
        lambda c: f"{c.step}:{c.value}",
    ),
    SettingsOpen: _Codec("set", _STEP, lambda m: SettingsOpen(_STEPS[m[1]]), lambda c: c.step),
    SettingsClose: _Codec("set", "close", lambda m: SettingsClose(), lambda c: "close"),
    WeeklySummarySwitch: _Codec(
        "set",
        "weekly:(on|off)",
        lambda m: WeeklySummarySwitch(m[1] == "on"),
        lambda c: "weekly:on" if c.on else "weekly:off",
    ),
    LanguageMenu: _Codec("lang", None, lambda m: LanguageMenu(), lambda c: ""),
    LanguageChoice: _Codec(
        "lang", "([a-z]{2,3})", lambda m: LanguageChoice(m[1]), lambda c: c.language
    ),
    Pause: _Codec("pause", "([0-9]{1,3})", lambda m: Pause(int(m[1])), lambda c: str(c.days)),
    TipHelpful: _Codec(
        "tip", f"up:{_TIP_NUM}", lambda m: TipHelpful(int(m[1])), lambda c: f"up:{c.num}"
    ),
    TipMore: _Codec("tip", "more", lambda m: TipMore(), lambda c: "more"),
    TipSnooze: _Codec("tip", "snooze", lambda m: TipSnooze(), lambda c: "snooze"),
    CheckinMenu: _Codec("checkin", None, lambda m: CheckinMenu(), lambda c: ""),
    FoodQuestionAnswer: _Codec(
        "fq",
        f"{_ROW_ID}:([0-9]|x)",
        lambda m: FoodQuestionAnswer(int(m[1]), _choice(m[2])),
        lambda c: f"{c.question_id}:{'x' if c.choice is None else c.choice}",
    ),
    RepeatMeal: _Codec("qm", _ROW_ID, lambda m: RepeatMeal(int(m[1])), lambda c: str(c.checkin_id)),
    AddFood: _Codec("qa", "([a-z0-9_]{1,50})", lambda m: AddFood(m[1]), lambda c: c.food_id),
    QuickCancel: _Codec("qx", None, lambda m: QuickCancel(), lambda c: ""),
    SetAmount: _Codec(
        "cp",
        rf"{_ROW_ID}:([0-9]{{1,2}}):([0-9]{{1,4}}(?:\.[0-9])?)",
        lambda m: SetAmount(int(m[1]), int(m[2]), float(m[3])),
        lambda c: f"{c.checkin_id}:{c.index}:{_grams(c.grams)}",
    ),
    ChangeAmounts: _Codec(
        "cm", _ROW_ID, lambda m: ChangeAmounts(int(m[1])), lambda c: str(c.checkin_id)
    ),
    UndoCheckin: _Codec(
        "cu", _ROW_ID, lambda m: UndoCheckin(int(m[1])), lambda c: str(c.checkin_id)
    ),
    UndoFromToday: _Codec(
        "tu", _ROW_ID, lambda m: UndoFromToday(int(m[1])), lambda c: str(c.checkin_id)
    ),
    NotToday: _Codec("rem", "skip", lambda m: NotToday(), lambda c: "skip"),
    Forget: _Codec(
        "forget",
        "(yes|no)",
        lambda m: Forget(m[1] == "yes"),
        lambda c: "yes" if c.confirm else "no",
    ),
    AdminCancel: _Codec("adm", "cancel", lambda m: AdminCancel(), lambda c: "cancel"),
    AdminTopic: _Codec(
        "adm", f"topic:{_FIELD}", lambda m: AdminTopic(m[1]), lambda c: f"topic:{c.topic}"
    ),
    AdminSave: _Codec("adm", "save", lambda m: AdminSave(), lambda c: "save"),
    AdminLanguage: _Codec(
        "adm", "lang:([a-z]{2,3})", lambda m: AdminLanguage(m[1]), lambda c: f"lang:{c.language}"
    ),
    AdminLanguagesDone: _Codec(
        "adm", "langdone", lambda m: AdminLanguagesDone(), lambda c: "langdone"
    ),
    AdminTipcast: _Codec(
        "adm", f"tipcast:{_FIELD}", lambda m: AdminTipcast(m[1]), lambda c: f"tipcast:{c.tip_id}"
    ),
    AdminAudience: _Codec(
        "adm", f"aud:{_FIELD}", lambda m: AdminAudience(m[1]), lambda c: f"aud:{c.audience}"
    ),
    AdminSend: _Codec(
        "adm",
        "send(paid)?",
        lambda m: AdminSend(m[1] is not None),
        lambda c: "sendpaid" if c.paid else "send",
    ),
    # The search is the rest of the data, colons and all; a page without one reads as "".
    AdminTipsPage: _Codec(
        "adm",
        "tips:([0-9]{1,6})(?::(.*))?",
        lambda m: AdminTipsPage(int(m[1]), m[2] or ""),
        lambda c: f"tips:{c.page}:{c.search}",
    ),
}
_FORMS: Final[dict[str, list[tuple[re.Pattern[str], _Codec]]]] = {}
for _codec in _CODECS.values():
    _FORMS.setdefault(_codec.prefix, []).append((_codec.form(), _codec))


def pack(button: Callback) -> str:
    """The callback data of a button; ValueError when it is over 64 bytes or would not read back."""
    codec = _CODECS[type(button)]
    data = codec.prefix if codec.fields is None else f"{codec.prefix}:{codec.write(button)}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data[:80]!r}")
    if unpack(data) != button:
        raise ValueError(f"{button!r} does not survive packing as {data[:80]!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    """The button a callback data stands for; None for anything else (old, malformed, forged)."""
    if not data:
        return None
    prefix, _, _ = data.partition(":")
    for form, codec in _FORMS.get(prefix, ()):
        match = form.fullmatch(data)
        if match is not None:
            return codec.read(match)
    return None


def pattern(*kinds: type[Callback]) -> str:
    """The regex a handler registers with to receive every data under these kinds' prefixes.

    It matches the prefix, not the whole form, so an old or forged button under a handler's
    prefix still reaches that handler (which reads it with `unpack` and answers it as stale).
    """
    if not kinds:
        raise ValueError("pattern() needs at least one kind")
    prefixes = dict.fromkeys(_CODECS[kind].prefix for kind in kinds)
    return "^(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + ")(?::|$)"
