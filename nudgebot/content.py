"""Load and validate messages/ once at start-up: a bad file stops the start, not a user's chat."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import tomli
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from nudgebot.features.subscribers import preferences as prefs
from nudgebot.features.understanding.knowledge import KnowledgeEntry, KnowledgeFile
from nudgebot.features.understanding.lexicon import Lexicon
from nudgebot.platform.i18n import Plural
from nudgebot.platform.timeofday import DAY_PARTS

MESSAGES_DIR = Path(__file__).resolve().parents[1] / "messages"
# The reference language: every other messages/<lang>/ must have the same keys, placeholders and
# tip and answer ids. A language is supported when its folder holds a replies.toml.
REFERENCE_LANGUAGE = "en"


_M = TypeVar("_M", bound=BaseModel)


class ContentError(Exception):
    """A messages/ file is missing, malformed or incomplete; the text names the file and entry."""


def _placeholders(*allowed: str) -> AfterValidator:
    """Validator: a reply text that may use only these {placeholders}."""
    return AfterValidator(_placeholder_check(allowed))


def _placeholder_check(allowed: tuple[str, ...]) -> Callable[[str], str]:
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

    return check


P = _placeholders
Text = Annotated[str, P()]


def _plural_placeholders(*allowed: str) -> AfterValidator:
    """Validator: a Plural whose forms may use {n} and only these other {placeholders}."""
    check_text = _placeholder_check(("n", *allowed))

    def check(plural: Plural) -> Plural:
        for text in plural.forms().values():
            check_text(text)
        return plural

    return AfterValidator(check)


PP = _plural_placeholders


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
    tz_choose: Annotated[str, P("text")]
    tz_type_again: Text
    tz_retry: Annotated[str, P("text")]
    tz_set: Annotated[str, P("zone", "local_time")]
    tz_set_city: Annotated[str, P("city", "zone", "local_time")]
    fixed_offset_note: Text
    ask_time: Text
    time_retry: Annotated[str, P("text")]
    ask_topics: Text
    last_topic: Text
    no_topic: Text
    ask_profile: Text
    ask_evening: Text
    done: Annotated[str, P("summary")]
    time_parts: dict[str, Text]  # part of the day (domain.clock.DAY_PARTS) -> its line

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _rename(cls, data: Any) -> Any:
        if isinstance(data, dict) and "continue" in data:
            data = dict(data)
            data["continue_"] = data.pop("continue")
        return data

    @model_validator(mode="after")
    def _every_day_part(self) -> Onboarding:
        _keys_exactly(self.time_parts, tuple(DAY_PARTS), "parts of the day")
        return self


class Summary(_Section):
    layout: Annotated[
        str, P("zone", "time", "topics", "profile", "evening", "weekly", "language", "status")
    ]
    not_set: Text
    evening_at: Annotated[str, P("time")]
    evening_off: Text
    weekly_on: Text
    weekly_off: Text
    profile_none: Text
    status_active: Text
    status_paused_until: Annotated[str, P("day", "time")]
    status_paused: Text
    status_stopped: Text
    status_blocked: Text


class LanguageTexts(_Section):
    """/language: the language's own name (on its button), the question and the answers."""

    name: Annotated[str, StringConstraints(min_length=2, max_length=30)]
    ask: Text
    set: Text
    same: Text


class Settings(_Section):
    intro: Annotated[str, P("summary")]
    saved: Annotated[str, P("summary")]
    finish_onboarding_first: Text
    weekly_switched_on: Text
    weekly_switched_off: Text
    kept: Annotated[str, P("summary")]


class Account(_Section):
    pause_ask: Text
    paused_until: Annotated[Plural, PP("until", "day", "time")]
    paused_until_no_tip: Annotated[Plural, PP("until")]
    paused: Text
    pause_kept: Annotated[str, P("day", "time")]
    pause_kept_open: Text
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
    done: Text
    skip_profile: Text
    cancel: Text
    change_tz: Text
    change_time: Text
    change_topics: Text
    change_profile: Text
    change_evening: Text
    change_language: Text
    weekly_on: Text
    weekly_off: Text
    back: Text
    tz_neither: Text
    topic_on: Annotated[str, P("topic")]
    topic_off: Annotated[str, P("topic")]
    evening_default: Annotated[str, P("time")]
    evening_no: Text
    evening_off: Text
    pause_days: Annotated[Plural, PP()]
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
    add_language: Annotated[str, P("language")]
    languages_done: Text
    send_broadcast: Annotated[Plural, PP()]
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
    language: str
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
    snoozed: Annotated[str, P("until", "day", "time")]
    none_available: Text
    not_onboarded: Text


class Checkins(_Section):
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
    today_layout: Annotated[str, P("date", "count", "entries", "total_line")]
    today_count: Annotated[Plural, PP()]
    today_entry: Annotated[str, P("time", "mg")]
    today_item: Annotated[str, P("name", "portion", "mg")]
    today_undo: Annotated[str, P("time", "foods")]
    undo_done: Annotated[str, P("foods", "mg")]
    undo_entry_done: Annotated[str, P("foods", "mg")]
    undo_none: Text
    undo_gone: Text
    week_caption: Annotated[str, P("average", "reached", "streak")]
    week_average: Annotated[Plural, PP("avg")]
    week_reached: Annotated[Plural, PP("target_text")]
    week_streak: Annotated[Plural, PP()]
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


class QuickMeals(_Section):
    """The meal a past check-in was, by the local time it was logged."""

    breakfast: Text
    lunch: Text
    dinner: Text
    snack: Text


class Quick(_Section):
    """One-tap check-ins (/checkin, the tip's button) and the buttons under a check-in."""

    menu: Text
    same_today: Annotated[str, P("meal", "foods", "mg")]
    same_yesterday: Annotated[str, P("meal", "foods", "mg")]
    same_day: Annotated[str, P("meal", "day", "foods", "mg")]
    usual: Annotated[str, P("meal", "foods", "mg")]
    addition: Annotated[str, P("name", "unit", "mg")]
    cancel: Text
    gone: Text
    half: Annotated[str, P("name")]
    double: Annotated[str, P("name")]
    change: Text
    undo: Text
    meals: QuickMeals


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


class ChatReplies(_Section):
    greeting: Text
    thanks: Text
    ok: Text
    bye: Text
    compliment: Text
    set_up_hint: Text


class MediaReplies(_Section):
    """A message with no words the bot can read: what to do instead, per kind of media."""

    photo: Text
    video: Text
    voice: Text
    video_note: Text
    animation: Text
    sticker: Text
    document: Text
    location: Text
    contact: Text
    other: Text


class Admin(_Section):
    help: Text
    addtip_topic: Text
    addtip_text: Annotated[Plural, PP()]
    addtip_preview: Text
    addtip_confirm: Text
    addtip_language_text: Annotated[str, P("language")]
    addtip_saved: Annotated[str, P("id", "topic")]
    tip_empty: Text
    tip_too_long: Annotated[Plural, PP("max")]
    default_source: Text
    source_label: Annotated[str, StringConstraints(pattern=r"^\w[\w ]{0,20}$")]
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
    broadcast_languages: Text
    broadcast_language_text: Annotated[str, P("language")]
    broadcast_by_language: Annotated[str, P("counts")]
    language_count: Annotated[str, P("language", "recipients")]
    first_text_marker: Text
    broadcast_preview: Annotated[str, P("audience", "recipients", "duration", "blocked")]
    subscribers: Annotated[Plural, PP()]
    blocked_skipped: Annotated[Plural, PP()]
    paid_rate: Annotated[Plural, PP()]
    stars: Annotated[Plural, PP()]
    broadcast_preview_paid: Annotated[str, P("duration", "rate", "stars")]
    broadcast_paid_refused: Annotated[str, P("id")]
    broadcast_stars_spent: Annotated[str, P("stars")]
    duration_seconds: Annotated[str, P("n")]
    duration_minutes: Annotated[str, P("n")]
    duration_hours: Annotated[str, P("h", "m")]
    broadcast_nobody: Text
    broadcast_status: Annotated[
        Plural, PP("id", "audience", "sent", "blocked", "failed", "remaining", "eta")
    ]
    broadcast_done: Annotated[
        Plural, PP("id", "audience", "sent", "blocked", "failed", "cancelled", "skipped")
    ]
    broadcast_stopped: Annotated[Plural, PP("id", "sent")]
    broadcast_not_running: Annotated[str, P("id")]
    broadcast_id_needed: Text
    broadcasts_none: Text
    broadcasts_row: Annotated[
        str, P("id", "state", "audience", "sent", "total", "blocked", "failed", "created")
    ]
    cancelled: Text
    tip_not_broadcast: Annotated[str, P("id")]
    nothing_to_cancel: Text
    stats_subscribers: Annotated[Plural, PP("active", "paused", "stopped", "blocked")]
    stats_new: Annotated[Plural, PP()]
    stats_checkins: Annotated[Plural, PP("week")]
    stats_tips: Annotated[Plural, PP()]
    stats_failures: Annotated[Plural, PP()]


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
    """messages/<lang>/replies.toml: every sentence the bot says outside tips and food data."""

    # The language these texts are in (from the file's folder), for dates and numbers.
    locale: str = "en"

    @model_validator(mode="before")
    @classmethod
    def _locale_of_file(cls, data: Any, info: ValidationInfo) -> Any:
        language = (info.context or {}).get("language")
        if isinstance(data, dict) and language and "locale" not in data:
            return {**data, "locale": language}
        return data

    general: General
    safety: SafetyReplies
    referral: ReferralReplies
    answers: Answers
    media: MediaReplies
    chat: ChatReplies
    onboarding: Onboarding
    summary: Summary
    language: LanguageTexts
    settings: Settings
    account: Account
    tips: Tips
    checkin: Checkins
    quick: Quick
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


MIN_EVENING_VARIANTS = 12


class EveningTexts(_Section):
    """The evening check-in reminder: many wordings, so no two evenings read the same."""

    variants: list[Text]
    not_today: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    not_today_done: Text
    stopped: Text

    @model_validator(mode="after")
    def _enough(self) -> EveningTexts:
        if len(self.variants) < MIN_EVENING_VARIANTS:
            raise ValueError(
                f"the evening reminder needs at least {MIN_EVENING_VARIANTS} variants, "
                f"found {len(self.variants)}"
            )
        if len(set(self.variants)) != len(self.variants):
            raise ValueError("an evening reminder variant is listed twice")
        return self


class WeeklyTexts(_Section):
    """The Sunday summary's caption parts."""

    title: Annotated[str, P("first", "last")]
    days_reached: Plural
    none_reached: Annotated[str, P("target_text")]
    checked_in: Plural
    top_food: Annotated[str, P("food")]
    encouragements: list[Text]
    professional: Text
    chart_title: Text
    off_hint: Text


class ReminderTexts(_Section):
    """messages/<lang>/reminders.toml."""

    evening: EveningTexts
    weekly: WeeklyTexts


@dataclass(frozen=True, slots=True)
class Content:
    """All validated message data of one language, loaded once."""

    language: str
    replies: Replies
    tips: tuple[TipEntry, ...]
    lexicon: Lexicon  # understanding.toml: how the router reads a message
    knowledge: tuple[KnowledgeEntry, ...]  # knowledge.toml: sourced answers
    reminders: ReminderTexts  # reminders.toml: evening reminder, weekly summary


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


def _validated(model: type[_M], path: Path, language: str, *, with_ids: bool = False) -> _M:
    data = _read_toml(path)
    try:
        return model.model_validate(data, context={"language": language})
    except ValidationError as exc:
        raise _explain(path, exc, data if with_ids else None) from None


def load_content(directory: Path = MESSAGES_DIR, language: str = REFERENCE_LANGUAGE) -> Content:
    """Read and validate one language's messages/<lang>/ files; raise ContentError naming the
    file and entry."""
    folder = directory / language
    replies = _validated(Replies, folder / "replies.toml", language)
    tips = _validated(TipFile, folder / "tips.toml", language, with_ids=True)
    lexicon = _validated(Lexicon, folder / "understanding.toml", language)
    knowledge = _validated(KnowledgeFile, folder / "knowledge.toml", language, with_ids=True)
    reminders = _validated(ReminderTexts, folder / "reminders.toml", language)
    return Content(
        language=language,
        replies=replies,
        tips=tuple(tips.tip),
        lexicon=lexicon,
        knowledge=tuple(knowledge.entry),
        reminders=reminders,
    )


def available_languages(directory: Path = MESSAGES_DIR) -> tuple[str, ...]:
    """The languages messages/ holds (a folder with a replies.toml), the reference first."""
    found = sorted(p.parent.name for p in directory.glob("*/replies.toml"))
    return tuple(sorted(found, key=lambda lang: lang != REFERENCE_LANGUAGE))


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every language's validated messages; a person's language picks one."""

    by_language: Mapping[str, Content]

    @property
    def languages(self) -> tuple[str, ...]:
        """The supported languages, the reference first."""
        return tuple(self.by_language)

    @property
    def reference(self) -> Content:
        """The English messages (every other language is checked against them)."""
        return self.by_language[REFERENCE_LANGUAGE]

    def __getitem__(self, language: str | None) -> Content:
        """The messages of a language or a Telegram language_code ("es-MX"); an unknown or
        missing one gets the reference."""
        return self.by_language.get(language or "") or self.by_language[self.language_of(language)]

    def language_of(self, language_code: str | None) -> str:
        """A Telegram language_code ("es-MX", "ru", "pt-br") as a supported language."""
        base = (language_code or "").split("-")[0].split("_")[0].strip().lower()
        return base if base in self.by_language else REFERENCE_LANGUAGE


def load_catalog(directory: Path = MESSAGES_DIR, languages: Iterable[str] | None = None) -> Catalog:
    """Load and cross-check every language: the start fails on a missing key, a placeholder
    that differs from English, a missing plural form, or a tip or answer id English lacks."""
    wanted = tuple(languages) if languages is not None else available_languages(directory)
    if REFERENCE_LANGUAGE not in wanted:
        wanted = (REFERENCE_LANGUAGE, *wanted)
    by_language = {lang: load_content(directory, lang) for lang in wanted}
    reference = by_language[REFERENCE_LANGUAGE]
    for lang, content in by_language.items():
        if lang != REFERENCE_LANGUAGE:
            _check_against(reference, content, directory / lang)
    return Catalog(by_language)


def _fields_of(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset(
            f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(value) if f
        )
    if isinstance(value, Plural):
        found: set[str] = set()
        for text in value.forms().values():
            found |= _fields_of(text) or frozenset()
        return frozenset(found)
    return None


def _walk(model: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf text of a section tree, by its dotted key."""
    leaves: dict[str, Any] = {}
    items = (
        ((name, getattr(model, name)) for name in type(model).model_fields)
        if isinstance(model, BaseModel) and not isinstance(model, Plural)
        else model.items()
        if isinstance(model, dict)
        else ()
    )
    for name, value in items:
        key = f"{prefix}{name}"
        if isinstance(value, (dict, BaseModel)) and not isinstance(value, Plural):
            leaves.update(_walk(value, key + "."))
        else:
            leaves[key] = value
    return leaves


def _check_against(reference: Content, other: Content, folder: Path) -> None:
    problems: list[str] = []
    for file, ref_model, model in (
        ("replies.toml", reference.replies, other.replies),
        ("reminders.toml", reference.reminders, other.reminders),
    ):
        ref_leaves, leaves = _walk(ref_model), _walk(model)
        for key, ref_value in ref_leaves.items():
            if key not in leaves:
                problems.append(f"{file}: [{key}] missing")
                continue
            want, got = _fields_of(ref_value), _fields_of(leaves[key])
            if want is not None and got is not None and want != got:
                problems.append(
                    f"{file}: [{key}] uses {{{'}, {'.join(sorted(got)) or ''}}}, English uses "
                    f"{{{'}, {'.join(sorted(want)) or ''}}}"
                )
        for key in leaves.keys() - ref_leaves.keys():
            problems.append(f"{file}: [{key}] is not an English key")
    ref_tips = {tip.id: tip for tip in reference.tips}
    for tip in other.tips:
        ref = ref_tips.get(tip.id)
        if ref is None:
            problems.append(f"tips.toml: tip {tip.id!r} has no English original")
        elif (ref.topic, ref.see_professional) != (tip.topic, tip.see_professional):
            problems.append(f"tips.toml: tip {tip.id!r} differs from English in topic or flags")
    ref_answers = {entry.id for entry in reference.knowledge}
    for entry in other.knowledge:
        if entry.id not in ref_answers:
            problems.append(f"knowledge.toml: entry {entry.id!r} has no English original")
    if problems:
        raise ContentError(f"{folder}: differs from English\n  " + "\n  ".join(problems))
