"""Load and validate messages/ once at start-up: a bad file stops the start, not a user's chat."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from nudgebot.domain import preferences as prefs
from nudgebot.features.understanding.knowledge import KnowledgeEntry, KnowledgeFile
from nudgebot.features.understanding.lexicon import Lexicon

MESSAGES_DIR = Path(__file__).resolve().parents[1] / "messages"
# The one language so far; texts, tips and food names move under messages/<lang>/ with the
# language issue, the router's lexicons and answers are there already.
LANGUAGE = "en"


class ContentError(Exception):
    """A messages/ file is missing, malformed or incomplete; the text names the file and entry."""


def _placeholders(*allowed: str) -> AfterValidator:
    """Validator: a reply text that may use only these {placeholders}."""
    allowed_set = frozenset(allowed)

    def check(text: str) -> str:
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ValueError(f"broken {{placeholder}} syntax: {exc}") from None
        unknown = {f for f in fields if f.split(".")[0].split("[")[0] not in allowed_set}
        if "" in fields:
            raise ValueError("empty {} placeholder; use {{ and }} for literal braces")
        if unknown:
            names = ", ".join("{" + u + "}" for u in sorted(unknown))
            can = ", ".join("{" + a + "}" for a in sorted(allowed_set)) or "none"
            raise ValueError(f"unknown placeholder {names} (this text can use: {can})")
        if not text.strip():
            raise ValueError("empty text")
        return text

    return AfterValidator(check)


P = _placeholders
Text = Annotated[str, P()]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _keys_exactly(mapping: dict[str, str], expected: tuple[str, ...], what: str) -> None:
    missing = set(expected) - set(mapping)
    extra = set(mapping) - set(expected)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {what}: {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"unknown {what}: {', '.join(sorted(extra))}")
        raise ValueError("; ".join(parts))


class General(_Section):
    help: Text
    unknown: Text
    apology: Text
    database_unavailable: Text
    stale_button: Text
    not_started: Text
    buttons_only: Text
    slow_down: Text
    private_only: Annotated[str, P("username")]


class Privacy(_Section):
    mydata_caption: Text
    forget_confirm: Text
    forget_yes: Text
    forget_no: Text
    forget_done: Text
    forget_kept: Text
    # Part of the /mydata export -> how long that part is kept.
    retention: dict[str, str]


class Onboarding(_Section):
    welcome: Annotated[str, P("name")]
    continue_: Annotated[str, P("name")]
    welcome_back: Annotated[str, P("name", "summary")]
    already_active: Annotated[str, P("summary")]
    step: Annotated[str, P("n", "total")]
    ask_tz: Text
    tz_retry: Annotated[str, P("text")]
    tz_set: Annotated[str, P("zone", "local_time")]
    tz_set_city: Annotated[str, P("city", "zone", "local_time")]
    fixed_offset_note: Text
    ask_time: Text
    time_retry: Annotated[str, P("text")]
    ask_topics: Text
    last_topic: Text
    ask_profile: Text
    done: Annotated[str, P("summary")]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _rename(cls, data: Any) -> Any:
        if isinstance(data, dict) and "continue" in data:
            data = dict(data)
            data["continue_"] = data.pop("continue")
        return data


class Summary(_Section):
    layout: Annotated[str, P("zone", "time", "topics", "profile", "status")]
    not_set: Text
    profile_none: Text
    status_active: Text
    status_paused_until: Annotated[str, P("date")]
    status_paused: Text
    status_stopped: Text
    status_blocked: Text
    date_format: Text


class Settings(_Section):
    intro: Annotated[str, P("summary")]
    saved: Annotated[str, P("summary")]
    finish_onboarding_first: Text
    kept: Annotated[str, P("summary")]


class Account(_Section):
    pause_ask: Text
    paused_until: Annotated[str, P("date")]
    paused: Text
    resumed: Annotated[str, P("time", "zone")]
    resumed_not_onboarded: Text
    not_paused: Text
    stopped: Text
    already_stopped: Text


class Labels(_Section):
    topics: dict[str, str]
    age_bands: dict[str, str]
    sexes: dict[str, str]
    life_stages: dict[str, str]
    unsaid: Text
    done: Text
    skip_profile: Text
    cancel: Text
    change_tz: Text
    change_time: Text
    change_topics: Text
    change_profile: Text
    pause_days: Annotated[str, P("n")]
    pause_one_day: Text
    pause_until_resume: Text
    profile_age_header: Text
    profile_sex_header: Text
    profile_life_header: Text
    tip_helpful: Text
    tip_another: Text
    tip_snooze: Text
    tip_checkin: Text
    audience_all: Text
    save_tip: Text
    send_broadcast: Annotated[str, P("n")]
    send_broadcast_paid: Annotated[str, P("stars")]
    broadcast_this_tip: Text
    next_page: Text
    previous_page: Text

    @model_validator(mode="after")
    def _complete(self) -> Labels:
        _keys_exactly(self.topics, prefs.TOPICS, "topics")
        _keys_exactly(self.age_bands, prefs.AGE_BANDS, "age bands")
        _keys_exactly(self.sexes, prefs.SEXES, "sexes")
        _keys_exactly(self.life_stages, prefs.LIFE_STAGES, "life stages")
        return self


class Commands(_Section):
    """Descriptions for the Telegram command menu (set_my_commands), 3-256 characters each."""

    start: str
    settings: str
    pause: str
    resume: str
    checkin: str
    today: str
    week: str
    undo: str
    tip: str
    stop: str
    mydata: str
    forget: str
    help: str

    @model_validator(mode="after")
    def _lengths(self) -> Commands:
        for name, text in self.model_dump().items():
            if not 3 <= len(text) <= 256:
                raise ValueError(f"description of /{name} must be 3-256 characters")
        return self


class Tips(_Section):
    layout: Annotated[str, P("text", "source")]
    thanks: Text
    already_thanked: Text
    snoozed: Annotated[str, P("date")]
    none_available: Text
    not_onboarded: Text


class Checkins(_Section):
    prompt: Text
    item: Annotated[str, P("name", "portion", "mg")]
    meal_total: Annotated[str, P("mg")]
    day_single: Annotated[str, P("total", "target", "percent")]
    day_range: Annotated[str, P("total", "low", "high", "low_percent", "high_percent")]
    unknown: Annotated[str, P("items")]
    nothing: Text
    suggest_one: Annotated[str, P("first")]
    suggest_two: Annotated[str, P("first", "second")]
    suggestion: Annotated[str, P("name", "portion", "mg")]
    well_done: Text
    reminder: Text
    capped: Text
    today_none: Text
    today_layout: Annotated[str, P("date", "entries", "total_line")]
    today_entry: Annotated[str, P("foods", "mg")]
    undo_done: Annotated[str, P("foods", "mg")]
    undo_none: Text
    week_caption: Annotated[str, P("avg", "good", "target_text", "streak")]
    week_empty: Text
    chart_title: Text
    chart_target: Text
    chart_range: Text
    chart_unit: Text
    target_single: Annotated[str, P("target")]
    target_range: Annotated[str, P("low", "high")]
    question: Annotated[str, P("phrase")]
    option: Annotated[str, P("name", "portion", "mg")]
    none_of_these: Text
    chose: Annotated[str, P("name", "portion", "mg", "phrase")]
    chose_none: Annotated[str, P("phrase")]
    chose_already: Text
    credit: Text


class SafetyReplies(_Section):
    """The emergency and crisis replies: a missing one stops the start."""

    emergency: Text
    crisis: Text


class ReferralReplies(_Section):
    """One text per professional topic the router recognises (triage.Referral; a test checks
    that every topic has its text)."""

    supplement: Text
    ppi: Text
    diuretic: Text
    bisphosphonate: Text
    antibiotic: Text
    digoxin: Text
    warfarin: Text
    heart_medicine: Text
    kidney: Text
    pregnancy: Text
    pregnancy_palpitations: Text
    palpitations: Text
    high_reading: Text
    heart_condition: Text

    def text(self, topic: str) -> str:
        """The text for one topic (a triage.Referral value)."""
        return str(getattr(self, topic))


class Answers(_Section):
    knowledge: Annotated[str, P("answer", "source")]
    target_single: Annotated[str, P("target", "profile")]
    target_range: Annotated[str, P("low", "high")]
    target_general: Annotated[str, P("low", "high")]
    food_info_header: Text
    food_info_item: Annotated[str, P("name", "portion", "mg")]
    food_info_footer: Text
    unanswered: Text
    pointer: Text
    photo: Text
    voice: Text


class ChatReplies(_Section):
    greeting: Text
    thanks: Text
    ok: Text
    bye: Text
    compliment: Text
    set_up_hint: Text


class Admin(_Section):
    help: Text
    addtip_topic: Text
    addtip_text: Annotated[str, P("max")]
    addtip_preview: Text
    addtip_confirm: Text
    addtip_saved: Annotated[str, P("id", "topic")]
    tip_empty: Text
    tip_too_long: Annotated[str, P("length", "max")]
    default_source: Text
    tips_header: Annotated[str, P("first", "last", "total", "page", "pages")]
    tips_row: Annotated[str, P("id", "topic", "words", "sent", "helpful", "off")]
    tips_off_marker: Text
    tips_none: Text
    tip_toggled_off: Annotated[str, P("id")]
    tip_toggled_on: Annotated[str, P("id")]
    tip_unknown: Annotated[str, P("id")]
    tip_id_needed: Text
    broadcast_message: Text
    broadcast_unsupported: Text
    broadcast_audience: Text
    broadcast_preview: Annotated[str, P("audience", "recipients", "duration", "blocked")]
    broadcast_preview_paid: Annotated[str, P("duration", "rate", "stars")]
    broadcast_paid_refused: Annotated[str, P("id")]
    broadcast_stars_spent: Annotated[str, P("stars")]
    duration_seconds: Annotated[str, P("n")]
    duration_minutes: Annotated[str, P("n")]
    duration_hours: Annotated[str, P("h", "m")]
    broadcast_nobody: Text
    broadcast_status: Annotated[
        str, P("id", "audience", "sent", "blocked", "failed", "remaining", "eta")
    ]
    broadcast_done: Annotated[
        str, P("id", "audience", "sent", "blocked", "failed", "cancelled", "skipped")
    ]
    broadcast_stopped: Annotated[str, P("id", "cancelled", "sent")]
    broadcast_not_running: Annotated[str, P("id")]
    broadcast_id_needed: Text
    broadcasts_none: Text
    broadcasts_row: Annotated[
        str, P("id", "state", "audience", "sent", "total", "blocked", "failed", "created")
    ]
    cancelled: Text
    nothing_to_cancel: Text
    stats: Annotated[
        str,
        P(
            "active",
            "paused",
            "stopped",
            "blocked",
            "new_week",
            "checkins_today",
            "checkins_week",
            "tips_today",
            "failures_today",
        ),
    ]


class AdminCommands(_Section):
    """Command menu descriptions shown to admins only (a per-chat scope)."""

    addtip: str
    tips: str
    tip_off: str
    tip_on: str
    broadcast: str
    broadcasts: str
    broadcast_stop: str
    stats: str
    cancel: str


class Replies(_Section):
    """messages/replies.toml: every sentence the bot says outside tips and food data."""

    general: General
    safety: SafetyReplies
    referral: ReferralReplies
    answers: Answers
    chat: ChatReplies
    onboarding: Onboarding
    summary: Summary
    settings: Settings
    account: Account
    tips: Tips
    checkin: Checkins
    admin: Admin
    privacy: Privacy
    labels: Labels
    commands: Commands
    admin_commands: AdminCommands


MAX_TIP_TEXT = 500


class TipEntry(_Section):
    """One tip of messages/tips.toml."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z]+-[0-9]{3}$")]
    topic: Literal["food", "activity", "stress"]
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=MAX_TIP_TEXT)
    ]
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    see_professional: bool = False

    @model_validator(mode="after")
    def _id_matches_topic(self) -> TipEntry:
        if not self.id.startswith(self.topic + "-"):
            raise ValueError(f"id {self.id!r} must start with its topic {self.topic!r}")
        return self


class TipFile(_Section):
    """messages/tips.toml: the tip library."""

    tip: list[TipEntry]

    @model_validator(mode="after")
    def _unique(self) -> TipFile:
        seen: set[str] = set()
        for entry in self.tip:
            if entry.id in seen:
                raise ValueError(f"tip id {entry.id!r} is used twice")
            seen.add(entry.id)
        return self


@dataclass(frozen=True, slots=True)
class Content:
    """All validated message data, loaded once."""

    replies: Replies
    tips: tuple[TipEntry, ...]
    lexicon: Lexicon  # messages/en/understanding.toml: how the router reads a message
    knowledge: tuple[KnowledgeEntry, ...]  # messages/en/knowledge.toml: sourced answers


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomli.load(fh)
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except tomli.TOMLDecodeError as exc:
        raise ContentError(f"{path}: not valid TOML: {exc}") from None


def _explain(path: Path, exc: ValidationError, data: dict[str, Any] | None = None) -> ContentError:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        loc = err["loc"]
        if data and len(loc) >= 2 and isinstance(loc[1], int):
            entries = data.get(str(loc[0])) or []
            if loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
                where += f" (id {entries[loc[1]].get('id', '?')!r})"
        lines.append(f"{path.name}: [{where}] {err['msg'].removeprefix('Value error, ')}")
    return ContentError(f"{path}: invalid content\n  " + "\n  ".join(lines))


def load_content(directory: Path = MESSAGES_DIR) -> Content:
    """Read and validate every messages/ file; raise ContentError naming the file and entry."""
    path = directory / "replies.toml"
    try:
        replies = Replies.model_validate(_read_toml(path))
    except ValidationError as exc:
        raise _explain(path, exc) from None
    tips_path = directory / "tips.toml"
    tip_data = _read_toml(tips_path)
    try:
        tips = TipFile.model_validate(tip_data)
    except ValidationError as exc:
        raise _explain(tips_path, exc, tip_data) from None
    lexicon_path = directory / LANGUAGE / "understanding.toml"
    try:
        lexicon = Lexicon.model_validate(_read_toml(lexicon_path))
    except ValidationError as exc:
        raise _explain(lexicon_path, exc) from None
    knowledge_path = directory / LANGUAGE / "knowledge.toml"
    knowledge_data = _read_toml(knowledge_path)
    try:
        knowledge = KnowledgeFile.model_validate(knowledge_data)
    except ValidationError as exc:
        raise _explain(knowledge_path, exc, knowledge_data) from None
    return Content(
        replies=replies,
        tips=tuple(tips.tip),
        lexicon=lexicon,
        knowledge=tuple(knowledge.entry),
    )
