"""Typed callback data: every kind packs within 64 bytes, reads back, and old buttons still work."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from typing import get_args

import pytest

from nudgebot.platform.callbacks import (
    ADMIN_BUTTONS,
    LANGUAGE_BUTTONS,
    MAX_CALLBACK_BYTES,
    MEAL_TAPS,
    SETTINGS_BUTTONS,
    TIP_BUTTONS,
    AddFood,
    AdminAudience,
    AdminCancel,
    AdminLanguage,
    AdminLanguagesDone,
    AdminSave,
    AdminSend,
    AdminTipcast,
    AdminTipsPage,
    AdminTopic,
    Callback,
    ChangeAmounts,
    CheckinMenu,
    FoodQuestionAnswer,
    Forget,
    LanguageChoice,
    LanguageMenu,
    NotToday,
    OnboardingAnswer,
    Pause,
    QuickCancel,
    RepeatMeal,
    SetAmount,
    SettingsClose,
    SettingsOpen,
    TipHelpful,
    TipMore,
    TipSnooze,
    UndoCheckin,
    UndoFromToday,
    WeeklySummarySwitch,
    pack,
    pattern,
    unpack,
)

BIG_ID = 10**18 - 1  # the largest row id a button carries

# One or more per kind, at their longest where a field can grow.
EXAMPLES: list[Callback] = [
    OnboardingAnswer("tz", "America/Argentina/ComodRivadavia"),
    OnboardingAnswer("time", "08:00"),
    OnboardingAnswer("profile", "life=breastfeeding"),
    SettingsOpen("evening"),
    SettingsClose(),
    WeeklySummarySwitch(on=True),
    WeeklySummarySwitch(on=False),
    Pause(0),
    Pause(7),
    TipHelpful(999_999_999),
    TipMore(),
    TipSnooze(),
    CheckinMenu(),
    FoodQuestionAnswer(BIG_ID, 9),
    FoodQuestionAnswer(BIG_ID, None),
    RepeatMeal(BIG_ID),
    AddFood("a" * 50),
    QuickCancel(),
    SetAmount(BIG_ID, 99, 2999.9),
    SetAmount(1, 0, 56.0),
    ChangeAmounts(BIG_ID),
    UndoCheckin(BIG_ID),
    UndoFromToday(BIG_ID),
    NotToday(),
    Forget(confirm=True),
    Forget(confirm=False),
    AdminCancel(),
    AdminTopic("activity"),
    AdminSave(),
    AdminLanguage("es"),
    AdminLanguagesDone(),
    LanguageMenu(),
    LanguageChoice("ru"),
    AdminTipcast("admin-0001"),
    AdminAudience("all"),
    AdminSend(paid=False),
    AdminSend(paid=True),
    AdminTipsPage(999_999, ""),
    AdminTipsPage.fitting(999_999, "🫀" * 30),
    AdminTipsPage(2, "magnesium: nuts"),
]

# What the handlers register with, as app.register_handlers does.
HANDLER_KINDS: list[tuple[type[Callback], ...]] = [
    ADMIN_BUTTONS,
    (OnboardingAnswer,),
    SETTINGS_BUTTONS,
    LANGUAGE_BUTTONS,
    (Pause,),
    TIP_BUTTONS,
    (CheckinMenu,),
    MEAL_TAPS,
    (FoodQuestionAnswer,),
    (Forget,),
    (NotToday,),
]


def test_the_examples_cover_every_kind() -> None:
    assert {type(button) for button in EXAMPLES} == set(get_args(Callback))


@pytest.mark.parametrize("button", EXAMPLES, ids=repr)
def test_every_kind_reads_back_as_the_button_it_was(button: Callback) -> None:
    assert unpack(pack(button)) == button


@pytest.mark.parametrize("button", EXAMPLES, ids=repr)
def test_every_packed_button_fits_telegrams_64_bytes(button: Callback) -> None:
    assert len(pack(button).encode()) <= MAX_CALLBACK_BYTES


def test_a_button_over_64_bytes_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        pack(OnboardingAnswer("tz", "x" * 70))
    with pytest.raises(ValueError, match="64 bytes"):
        pack(AdminTipsPage(1, "🫀" * 30))


@pytest.mark.parametrize(
    "button",
    [
        AddFood("Almonds"),
        AddFood(""),
        FoodQuestionAnswer(1, 10),
        Pause(-1),
        TipHelpful(10**9),
        OnboardingAnswer("tz", ""),
        AdminTopic("a:b"),
        SetAmount(1, 0, 12345.0),
    ],
    ids=repr,
)
def test_a_button_that_would_not_read_back_is_refused_when_packed(button: Callback) -> None:
    with pytest.raises(ValueError, match="does not survive"):
        pack(button)


def test_an_amount_is_held_in_tenths_of_a_gram_as_the_button_carries_it() -> None:
    assert SetAmount(1, 0, 28.349) == SetAmount(1, 0, 28.3)
    assert pack(SetAmount(1, 0, 117.0)) == "cp:1:0:117"


# Today's literal strings: buttons already in people's chats and in queued outbox rows.
OLD_BUTTONS: dict[str, Callback] = {
    "ob:tz:Europe/Berlin": OnboardingAnswer("tz", "Europe/Berlin"),
    "ob:tz:UTC+05:30": OnboardingAnswer("tz", "UTC+05:30"),
    "ob:tz:retype": OnboardingAnswer("tz", "retype"),
    "ob:time:08:00": OnboardingAnswer("time", "08:00"),
    "ob:time:back": OnboardingAnswer("time", "back"),
    "ob:topics:food": OnboardingAnswer("topics", "food"),
    "ob:topics:done": OnboardingAnswer("topics", "done"),
    "ob:profile:age=31-50": OnboardingAnswer("profile", "age=31-50"),
    "ob:profile:skip": OnboardingAnswer("profile", "skip"),
    "ob:evening:20:00": OnboardingAnswer("evening", "20:00"),
    "ob:evening:off": OnboardingAnswer("evening", "off"),
    "set:tz": SettingsOpen("tz"),
    "set:profile": SettingsOpen("profile"),
    "set:close": SettingsClose(),
    "set:weekly:on": WeeklySummarySwitch(on=True),
    "set:weekly:off": WeeklySummarySwitch(on=False),
    "pause:0": Pause(0),
    "pause:3": Pause(3),
    "tip:up:17": TipHelpful(17),
    "tip:more": TipMore(),
    "tip:snooze": TipSnooze(),
    "checkin": CheckinMenu(),
    "fq:12:x": FoodQuestionAnswer(12, None),
    "fq:123456789012:3": FoodQuestionAnswer(123456789012, 3),
    "qm:987654321": RepeatMeal(987654321),
    "qa:black_beans": AddFood("black_beans"),
    "qx": QuickCancel(),
    "cp:42:1:56": SetAmount(42, 1, 56.0),
    "cp:42:0:117.5": SetAmount(42, 0, 117.5),
    "cm:7": ChangeAmounts(7),
    "cu:42": UndoCheckin(42),
    "tu:12": UndoFromToday(12),
    "rem:skip": NotToday(),
    "forget:yes": Forget(confirm=True),
    "forget:no": Forget(confirm=False),
    "adm:cancel": AdminCancel(),
    "adm:save": AdminSave(),
    "adm:lang:es": AdminLanguage("es"),
    "adm:langdone": AdminLanguagesDone(),
    "lang": LanguageMenu(),
    "lang:ru": LanguageChoice("ru"),
    "adm:topic:food": AdminTopic("food"),
    "adm:tipcast:admin-0001": AdminTipcast("admin-0001"),
    "adm:aud:all": AdminAudience("all"),
    "adm:aud:stress": AdminAudience("stress"),
    "adm:send": AdminSend(paid=False),
    "adm:sendpaid": AdminSend(paid=True),
    "adm:tips:3:x": AdminTipsPage(3, "x"),
    "adm:tips:1:": AdminTipsPage(1, ""),
}


@pytest.mark.parametrize(("data", "button"), OLD_BUTTONS.items())
def test_todays_buttons_still_read_as_what_they_meant(data: str, button: Callback) -> None:
    assert unpack(data) == button


@pytest.mark.parametrize(("data", "button"), OLD_BUTTONS.items())
def test_buttons_are_still_packed_in_todays_wire_format(data: str, button: Callback) -> None:
    assert pack(button) == data


def test_a_tips_page_without_a_search_field_reads_as_an_empty_search() -> None:
    assert unpack("adm:tips:3") == AdminTipsPage(3, "")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        ":",
        "::",
        "x" * 64,
        "🫀" * 16,
        "zz:1",
        "TIP:more",
        " tip:more",
        "tip:more\n",
        "tip",
        "tip:",
        "tip:more:1",
        "tip:help:1",
        "tip:up",
        "tip:up:",
        "tip:up:abc",
        "tip:up:-1",
        "tip:up:1:2",
        "tip:up:9999999999",
        "tip:up:١٢",
        "ob:",
        "ob:tz",
        "ob:tz:",
        "ob:mars:Olympus",
        "set:",
        "set:mars",
        "set:weekly",
        "set:weekly:maybe",
        "set:close:1",
        "pause",
        "pause:",
        "pause:abc",
        "pause:-5",
        "pause:1000",
        "pause:٣",
        "checkin:",
        "checkin:1",
        "checkins",
        "fq:12",
        "fq:12:",
        "fq:12:10",
        "fq:12:y",
        "fq:abc:x",
        "fq:1234567890123456789:x",
        "qm:",
        "qm:abc",
        "qm:1234567890123456789",
        "qa:Almonds",
        "qa:" + "a" * 51,
        "qx:1",
        "cp:1:2",
        "cp:1:100:5",
        "cp:1:1:12345",
        "cp:1:1:5.25",
        "cm:",
        "cu:1:2",
        "tu:x",
        "rem",
        "rem:",
        "rem:skip:1",
        "forget",
        "forget:",
        "forget:maybe",
        "adm",
        "adm:",
        "adm:stop:1",
        "adm:topic:",
        "adm:topic:a:b",
        "adm:tipcast:",
        "adm:aud:",
        "adm:sendfree",
        "adm:tips:",
        "adm:tips:x",
        "adm:tips:1234567:x",
    ],
)
def test_malformed_or_forged_data_reads_as_no_button(data: str | None) -> None:
    assert unpack(data) is None


def test_unpack_never_raises_on_random_data() -> None:
    rng = random.Random(20261125)
    prefixes = ["", "ob:", "set:", "pause:", "tip:", "tip:up:", "fq:", "cp:", "qa:", "adm:tips:"]
    alphabet = "0123456789:x-_=.aZ🫀\n "
    for _ in range(3000):
        tail = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        button = unpack(rng.choice(prefixes) + tail)
        if button is not None:
            assert unpack(pack(button)) == button


def test_the_tips_page_search_is_cut_to_64_bytes_without_breaking_a_character() -> None:
    search = "🫀" * 30
    page = AdminTipsPage.fitting(3, search)
    assert len(pack(page).encode()) <= MAX_CALLBACK_BYTES
    assert page.search and search.startswith(page.search)
    assert AdminTipsPage.fitting(3, "nuts") == AdminTipsPage(3, "nuts")


@pytest.mark.parametrize("button", EXAMPLES, ids=repr)
def test_every_button_reaches_exactly_one_handler(button: Callback) -> None:
    data = pack(button)
    matching = [kinds for kinds in HANDLER_KINDS if re.match(pattern(*kinds), data)]
    assert len(matching) == 1 and type(button) in matching[0]


def test_a_handler_pattern_takes_its_prefix_only() -> None:
    assert re.match(pattern(*TIP_BUTTONS), "tip:forged")  # answered as stale by tip_button
    assert not re.match(pattern(*TIP_BUTTONS), "tips:more")
    assert not re.match(pattern(CheckinMenu), "checkins")
    assert re.match(pattern(*MEAL_TAPS), "qx") and not re.match(pattern(*MEAL_TAPS), "qxx")
    with pytest.raises(ValueError):
        pattern()


def test_the_module_is_plain_data_without_telegram() -> None:
    code = (
        "import sys, nudgebot.platform.callbacks, nudgebot.features.meals.views;"
        "sys.exit('telegram' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
