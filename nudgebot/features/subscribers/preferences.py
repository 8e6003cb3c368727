"""The onboarding and settings flow, and the choices a subscriber can make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Literal

from nudgebot.platform.callbacks import STEPS as STEPS
from nudgebot.platform.callbacks import Step as Step

Mode = Literal["onboarding", "settings"]

BACK = "back"  # the value of a question's "◀ Back" button (onboarding, after the first step)
EVENING_OFF = "off"  # the value of "No thanks" on the evening reminder question
RETYPE = "retype"  # the value of "Neither — type again" under the zones offered for a place
TOPICS: tuple[str, ...] = ("food", "activity", "stress")
AGE_BANDS: tuple[str, ...] = ("14-18", "19-30", "31-50", "51+")
SEXES: tuple[str, ...] = ("female", "male")
LIFE_STAGES: tuple[str, ...] = ("pregnant", "breastfeeding", "neither")
UNSAID = "unsaid"
TIP_TIMES: tuple[time, ...] = tuple(time(h) for h in (7, 8, 9, 12, 18, 20))
COMMON_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    "age": AGE_BANDS,
    "sex": SEXES,
    "life": LIFE_STAGES,
}
PAUSE_CHOICES: tuple[int, ...] = (1, 3, 7, 0)  # days; 0 means until /resume


@dataclass(frozen=True, slots=True)
class Flow:
    """Where a subscriber is: which question the bot waits for, and why."""

    mode: Mode
    step: Step

    def encode(self) -> str:
        """The form stored in users.flow."""
        return f"{self.mode}:{self.step}"

    @classmethod
    def decode(cls, value: str | None) -> Flow | None:
        """Parse users.flow; anything unknown (an old version's value) reads as no flow."""
        if not value or ":" not in value:
            return None
        mode, step = value.split(":", 1)
        if mode not in ("onboarding", "settings") or step not in STEPS:
            return None
        return cls(mode, step)  # type: ignore[arg-type]


FIRST_STEP = Flow("onboarding", "tz")


def after(flow: Flow) -> Flow | None:
    """The next question once `flow` is answered; None means show the summary."""
    if flow.mode == "settings":
        return None
    index = STEPS.index(flow.step)
    return Flow("onboarding", STEPS[index + 1]) if index + 1 < len(STEPS) else None


def before(flow: Flow) -> Flow | None:
    """The question "◀ Back" returns to; None for the first one and for settings."""
    if flow.mode == "settings":
        return None
    index = STEPS.index(flow.step)
    return Flow("onboarding", STEPS[index - 1]) if index > 0 else None


def toggle_topic(
    current: frozenset[str], topic: str, *, keep_one: bool = True
) -> frozenset[str] | None:
    """Flip one topic; None when that would leave no topic and one must stay on.

    Onboarding starts with no topic chosen (a tap means "yes, this one") and may pass through
    none (`keep_one=False`; Done then asks for one); settings always keep one on.
    """
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    changed = current ^ {topic}
    return changed if changed or not keep_one else None


def valid_profile_value(field: str, value: str) -> bool:
    """True for a known choice of a profile field, 'unsaid' included."""
    return field in PROFILE_FIELDS and (value in PROFILE_FIELDS[field] or value == UNSAID)


def asks_life_stage(sex: str | None) -> bool:
    """Pregnancy and breastfeeding are asked unless the person said they are male."""
    return sex != "male"


def step_index(step: Step) -> int:
    """1-based position of a step, for "Step 2 of 5"."""
    return STEPS.index(step) + 1
