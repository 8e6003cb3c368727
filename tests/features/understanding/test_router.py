"""The message router: the labelled corpora of each language, the order of decisions, its
guarantees, and the safety net across languages."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from nudgebot.content import MESSAGES_DIR, ContentError, load_content
from nudgebot.features.meals.parser import FoodIndex, load_index
from nudgebot.features.understanding.knowledge import KnowledgeEntry, KnowledgeFile
from nudgebot.features.understanding.lexicon import Lexicon
from nudgebot.features.understanding.router import (
    AnswerKind,
    ChatKind,
    Command,
    Intent,
    LanguageContent,
    Router,
    Routers,
    Safety,
    Verdict,
    build_router,
    build_routers,
)
from nudgebot.features.understanding.text import Concept, Normaliser, fold
from nudgebot.features.understanding.triage import Referral, blood_pressure

HERE = Path(__file__).parent
# Languages with a corpus of their own (corpus_<lang>.tsv); English reads every other corpus_*.tsv.
OTHER_LANGUAGES = ("es", "ru")
# The blind check (label<TAB>text<TAB>language): read apart from the corpora the rules fit.
BLIND = HERE / "corpus_blind.tsv"
CONTENT = load_content()
ROUTER: Router = build_router(CONTENT, load_index(), "en")
# The floor for each part of the English corpus.
MINIMUMS = {
    "emergency": 120,
    "crisis": 30,
    "professional": 60,
    "question": 60,
    "chat": 30,
    "meal+harmless": 100,
}
# Spanish and Russian: at least this many messages in every part, and in every referral topic.
PART_MINIMUM = 120
PARTS = ("emergency", "crisis", "harmless", "professional", "command", "chat", "question", "meal")
PARTS += ("other",)
TOPIC_MINIMUM = 6


def corpus_files(language: str) -> list[Path]:
    """The corpus files of a language."""
    if language == "en":
        others = {f"corpus_{code}.tsv" for code in OTHER_LANGUAGES} | {BLIND.name}
        return [p for p in sorted(HERE.glob("corpus_*.tsv")) if p.name not in others]
    path = HERE / f"corpus_{language}.tsv"
    return [path] if path.exists() else []


def read_corpus(paths: list[Path]) -> list[tuple[str, str]]:
    """(label, text) from corpus files: one message a line, `label<TAB>text`."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, text = line.split("\t")
                rows.append((label, text))
    return rows


def corpus() -> list[tuple[str, str]]:
    """The English corpus."""
    return read_corpus(corpus_files("en"))


CORPUS = corpus()


@dataclass(frozen=True)
class LanguageFiles:
    """A language's lexicon and answers read straight from its files, while the rest of its
    messages/<lang>/ is still being written."""

    lexicon: Lexicon
    knowledge: tuple[KnowledgeEntry, ...]


def language_content(language: str) -> LanguageContent:
    """What the router of a language reads: its Content, or its two files when the rest of the
    language's messages do not load yet."""
    try:
        return load_content(language=language)
    except ContentError:
        folder = MESSAGES_DIR / language
        lexicon = Lexicon.model_validate(tomllib.loads((folder / "understanding.toml").read_text()))
        knowledge_path = folder / "knowledge.toml"
        knowledge: tuple[KnowledgeEntry, ...] = ()
        if knowledge_path.exists():
            data = tomllib.loads(knowledge_path.read_text())
            knowledge = tuple(KnowledgeFile.model_validate(data).entry)
        return LanguageFiles(lexicon, knowledge)


@cache
def food_index(language: str) -> tuple[FoodIndex, bool]:
    """The language's food index, and whether it is its own (else the English one stands in)."""
    try:
        return load_index(language), True
    except ContentError:
        return load_index(), False


def corpus_languages() -> list[str]:
    """English, and every other language with a lexicon and a corpus."""
    return ["en"] + [
        code
        for code in OTHER_LANGUAGES
        if corpus_files(code) and (MESSAGES_DIR / code / "understanding.toml").exists()
    ]


def lexicon_languages() -> list[str]:
    """English, and every other language with a lexicon (its corpus may still be missing)."""
    return ["en"] + [
        code for code in OTHER_LANGUAGES if (MESSAGES_DIR / code / "understanding.toml").exists()
    ]


LANGUAGES = corpus_languages()


@cache
def routers() -> Routers:
    """One router per language with a lexicon."""
    codes = lexicon_languages()
    return build_routers(
        {code: language_content(code) for code in codes},
        {code: food_index(code)[0] for code in codes},
    )


@cache
def language_corpus(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(read_corpus(corpus_files(language)))


def waits_on_food_index(language: str) -> pytest.MarkDecorator:
    """Meals, food questions and look-alikes need the language's own food names."""
    return pytest.mark.xfail(
        not food_index(language)[1],
        reason=f"waits on load_index({language!r}); the English food index stands in",
        strict=False,
    )


def by_label(prefix: str, language: str = "en") -> list[tuple[str, str]]:
    rows = CORPUS if language == "en" else language_corpus(language)
    return [(label, text) for label, text in rows if label.split(":")[0] == prefix]


def fits(label: str, verdict: Verdict) -> bool:
    """Whether a verdict is the right one for a corpus label."""
    kind, _, detail = label.partition(":")
    intent = verdict.intent
    if kind == "emergency":
        return intent is Intent.EMERGENCY
    if kind == "crisis":
        return intent is Intent.CRISIS or verdict.also_crisis
    if kind == "harmless":
        return not verdict.urgent
    if kind == "professional":
        wanted = {Referral(detail)}
        if detail == "pregnancy":
            wanted.add(Referral.PREGNANCY_PALPITATIONS)
        return not verdict.urgent and bool(wanted & set(verdict.referrals))
    if kind == "question":
        return intent is Intent.QUESTION and verdict.answer is not AnswerKind.UNANSWERED
    if kind == "command":
        return intent is Intent.COMMAND and verdict.command is Command(detail)
    if kind == "chat":
        return intent is Intent.CHAT
    if kind == "meal":
        return intent is Intent.MEAL
    if kind == "other":
        return intent in (Intent.OTHER, Intent.QUESTION, Intent.CHAT) and not verdict.referrals
    raise ValueError(f"unknown label {label!r}")


def route(text: str, language: str) -> Verdict:
    """English through its own router (as before); every language through the Routers."""
    if language == "en":
        return ROUTER.route(text)
    return routers().route(text, language=language)


def misses(rows: list[tuple[str, str]], language: str = "en") -> list[str]:
    wrong = []
    for label, text in rows:
        verdict = route(text, language)
        if not fits(label, verdict):
            wrong.append(f"{label}: {text!r} -> {verdict.intent.value} {verdict.reason or ''}")
    return wrong


def test_the_corpus_is_large_and_varied_enough() -> None:
    counts = Counter(label.split(":")[0] for label, _ in CORPUS)
    counts["meal+harmless"] = counts["meal"] + counts["harmless"]
    assert len(CORPUS) >= 400
    for part, floor in MINIMUMS.items():
        assert counts[part] >= floor, part
    assert len({text.casefold() for _, text in CORPUS}) == len(CORPUS), "duplicate messages"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_each_language_corpus_is_large_and_varied_enough(language: str) -> None:
    rows = language_corpus(language)
    counts = Counter(label.split(":")[0] for label, _ in rows)
    for part in PARTS:
        assert counts[part] >= PART_MINIMUM, part
    topics = Counter(label for label, _ in rows if label.startswith("professional:"))
    assert all(n >= TOPIC_MINIMUM for n in topics.values()), topics
    assert len({text.casefold() for _, text in rows}) == len(rows), "duplicate messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_emergency_in_the_corpus_gets_the_emergency_reply(language: str) -> None:
    assert misses(by_label("emergency", language), language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_crisis_in_the_corpus_gets_the_crisis_reply(language: str) -> None:
    assert misses(by_label("crisis", language), language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_at_most_three_percent_of_harmless_messages_are_flagged(language: str) -> None:
    rows = by_label("harmless", language) + by_label("meal", language)
    flagged = [m for m in misses(rows, language) if not m.startswith("meal")] + [
        text for label, text in by_label("meal", language) if route(text, language).urgent
    ]
    assert len(flagged) <= 0.03 * len(rows), flagged


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_professional_topic_gets_its_referral(language: str) -> None:
    assert misses(by_label("professional", language), language) == []


KINDS = [("question", 0.97), ("command", 0.97), ("chat", 0.97), ("meal", 0.95), ("other", 0.95)]
# Kinds whose accuracy depends on the language's own food names.
FOOD_KINDS = ("question", "meal", "other")


@pytest.mark.parametrize(
    ("language", "prefix", "accuracy"),
    [
        pytest.param(
            language,
            prefix,
            accuracy,
            marks=[waits_on_food_index(language)]
            if language != "en" and prefix in FOOD_KINDS
            else [],
        )
        for language in LANGUAGES
        for prefix, accuracy in KINDS
    ],
)
def test_each_kind_of_message_is_recognised(language: str, prefix: str, accuracy: float) -> None:
    rows = by_label(prefix, language)
    wrong = misses(rows, language)
    assert len(wrong) <= (1 - accuracy) * len(rows), wrong


@pytest.mark.parametrize(
    "text",
    [
        "i take warfarin, is spinach ok",
        "on coumadin. had a big spinach salad",
        "I'm on blood thinners, can I eat kale?",
    ],
)
def test_warfarin_with_a_food_gets_the_warfarin_referral_and_the_meal(text: str) -> None:
    verdict = ROUTER.route(text)
    assert verdict.intent is Intent.MEAL and verdict.mentions_warfarin
    assert verdict.meal is not None and verdict.meal.items
    assert verdict.meal.unknown == ()


def test_a_very_high_reading_without_symptoms_is_urgent_advice_not_an_emergency() -> None:
    calm = ROUTER.route("bp 182/100 this morning, feel totally fine, no headache")
    assert calm.intent is Intent.QUESTION and Referral.HIGH_READING in calm.referrals
    with_symptom = ROUTER.route("bp 182/100 this morning and a bad headache")
    assert with_symptom.intent is Intent.EMERGENCY
    assert ROUTER.route("180/110 with a headache").intent is Intent.EMERGENCY
    assert Referral.HIGH_READING not in ROUTER.route("my bp was 130/85 today").referrals


def test_blood_pressure_readings_are_read_and_dates_are_not() -> None:
    reading = blood_pressure("bp 185 over 110")
    assert reading is not None and (reading.systolic, reading.diastolic) == (185, 110)
    assert blood_pressure("on 12/10 i had oatmeal") is None
    assert blood_pressure("2/3 cup of oats") is None
    assert blood_pressure("systolic 192 this morning") is None  # a lone number needs the words
    high = ROUTER.triage.reading("systolic 192 this morning")
    assert high is not None and high.crisis_level and high.diastolic is None


def test_palpitations_alone_are_referred_and_with_dizziness_are_an_emergency() -> None:
    alone = ROUTER.route("my heart skips a beat sometimes after coffee")
    assert not alone.urgent and alone.referrals == (Referral.PALPITATIONS,)
    pregnant = ROUTER.route("im 30 weeks pregnant and get palpitations")
    assert Referral.PREGNANCY_PALPITATIONS in pregnant.referrals
    assert ROUTER.route("heart racing and i feel dizzy").intent is Intent.EMERGENCY


def test_an_emergency_wins_even_while_a_question_is_open() -> None:
    assert ROUTER.route("Berlin", awaiting_answer=True).intent is Intent.ANSWER
    verdict = ROUTER.route("my face is drooping on one side", awaiting_answer=True)
    assert verdict.intent is Intent.EMERGENCY and verdict.safety is Safety.EMERGENCY
    crisis = ROUTER.route("i want to end my life", awaiting_answer=True)
    assert crisis.intent is Intent.CRISIS


def test_an_emergency_that_also_speaks_of_suicide_carries_both() -> None:
    verdict = ROUTER.route("took a whole bottle of pills to end it and now my chest hurts")
    assert verdict.intent is Intent.EMERGENCY and verdict.also_crisis


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me",
        "i'm dying to try that new ramen place",
        "that cheesecake was to die for",
        "my feet are killing me after the hike",
        "killed it at the gym today",
        "did suicides at basketball practice",
        "cut myself chopping onions lol",
    ],
)
def test_figures_of_speech_are_not_a_crisis(text: str) -> None:
    assert not ROUTER.route(text).urgent


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("chets pain", "chest pain"),
        ("cant brethe", "cant breathe"),
        ("im taking a walk", "im taking a walk"),
        ("sweet potato", "sweet potato"),
    ],
)
def test_typos_of_key_words_are_corrected_and_real_words_left_alone(
    text: str, corrected: str
) -> None:
    assert ROUTER.normalise(text) == corrected


def test_questions_get_answers_and_small_talk_a_warm_line() -> None:
    target = ROUTER.route("what is my target?")
    assert target.intent is Intent.QUESTION and target.answer is AnswerKind.TARGET
    bp = ROUTER.route("is magnesium good for blood pressure?")
    assert bp.answer is AnswerKind.KNOWLEDGE and bp.entry is not None
    assert bp.entry.id == "mg_blood_pressure"
    food = ROUTER.route("how much magnesium is in a banana?")
    assert food.answer is AnswerKind.FOOD_INFO and food.meal is not None
    unknown = ROUTER.route("who won the football last night?")
    assert unknown.answer is AnswerKind.UNANSWERED
    assert ROUTER.route("thank you!").chat is ChatKind.THANKS
    assert ROUTER.route("hola").chat is ChatKind.GREETING
    assert ROUTER.route("👍").intent is Intent.CHAT


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stop", Command.STOP),
        ("please stop sending me tips", Command.STOP),
        ("pause the tips for a week", Command.PAUSE),
        ("start again", Command.RESUME),
        ("help", Command.HELP),
        ("settings", Command.SETTINGS),
        ("delete my data", Command.FORGET),
    ],
)
def test_commands_in_words(text: str, command: Command) -> None:
    verdict = ROUTER.route(text)
    assert verdict.intent is Intent.COMMAND and verdict.command is command


def test_a_sentence_that_merely_contains_a_command_word_is_not_a_command() -> None:
    assert ROUTER.route("i want to stop eating so much sugar").intent is not Intent.COMMAND
    assert ROUTER.route("help me eat more greens").intent is not Intent.COMMAND


def test_nothing_known_and_no_sign_of_eating_is_not_a_meal() -> None:
    assert ROUTER.route("asdfgh").intent is Intent.OTHER
    assert ROUTER.route("what a day").intent is not Intent.MEAL


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600), st.booleans())
def test_the_router_never_raises_and_always_returns_one_verdict(text: str, awaiting: bool) -> None:
    verdict = ROUTER.route(text, awaiting_answer=awaiting)
    assert isinstance(verdict, Verdict) and verdict.intent in set(Intent)
    if verdict.urgent:
        assert verdict.meal is None


LEXICON_WORDS = [
    *("i my chest pain had oatmeal with almonds stop is magnesium good for bp ?", "180/120"),
    *("warfarin kill myself lol thanks arm numb dad collapsed 2 cups no not",),
]
LEXICON_WORDS = [word for chunk in LEXICON_WORDS for word in chunk.split(" ")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(LEXICON_WORDS),
        max_size=14,
    )
)
def test_word_salads_from_the_lexicon_never_raise(words: list[str]) -> None:
    ROUTER.route(" ".join(words))


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("no chest pain, just a bit tired after work", False),
        ("bp 185/100 but no headache and no chest pain", False),
        ("not sure if this is chest pain or heartburn", True),
        ("never had chest pain like this before", True),
        ("no chest pain but my face is drooping", True),
        ("I don't have chest pain but i cant breathe", True),
    ],
)
def test_only_a_symptom_negated_right_before_it_is_taken_out(text: str, urgent: bool) -> None:
    assert ROUTER.route(text).urgent is urgent


# --- Every language: the normaliser, the lexicon's checks, the safety net across languages ---


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("¿Me duele el PECHO?", "me duele el pecho"),
        ("¡Corazón, riñón y Ñandú!", "corazon rinon y nandu"),
        ("Ёлка и йогурт", "елка и йогурт"),
        ("ЙОД, naïve café", "йод naive cafe"),
    ],
)
def test_accents_are_folded_but_й_stays(text: str, normalised: str) -> None:
    plain = Normaliser(rewrites=[], vocabulary=[], real_words=[])
    assert plain(text) == normalised
    assert fold("й") == "й" and fold("ё") == "е" and fold("ñ") == "n"


def test_word_boundaries_work_for_cyrillic() -> None:
    pain = Concept("pain", ["боль", "болит"])
    assert pain("сильная боль в груди") and pain("у меня болит сердце")
    assert not pain("я в больнице") and not pain("больно смешно")
    assert pain.spans("грудь болит") == [(6, 11)]


@pytest.mark.parametrize(
    ("section", "key", "pattern"),
    [("emergency", "pain", "dolor fuerte en el corazón"), ("crisis", "patterns", "умру, ёлки")],
)
def test_a_pattern_the_fold_would_change_is_refused_naming_its_key(
    section: str, key: str, pattern: str
) -> None:
    data = tomllib.loads((MESSAGES_DIR / "en" / "understanding.toml").read_text())
    data[section][key].append(pattern)
    with pytest.raises(ValidationError) as refused:
        Lexicon.model_validate(data)
    assert f"{section}.{key}" in str(refused.value) and "folds" in str(refused.value)


def other_language_rows(kind: str) -> list[tuple[str, str]]:
    """(language, text) of every non-English corpus message of a kind."""
    return [
        (code, text)
        for code in LANGUAGES
        if code != "en"
        for label, text in language_corpus(code)
        if label == kind
    ]


@pytest.mark.parametrize("kind", ["emergency", "crisis"])
def test_safety_never_depends_on_the_language_setting(kind: str) -> None:
    """Someone set to English (or to any other language) who writes an emergency or a crisis in
    Spanish or Russian gets the urgent reply, in the language the words were in."""
    rows = other_language_rows(kind)
    assert rows
    wrong = []
    for written_in, text in rows:
        for setting in LANGUAGES:
            verdict = routers().route(text, language=setting)
            if kind == "emergency":
                urgent = verdict.intent is Intent.EMERGENCY
            else:
                urgent = verdict.intent is Intent.CRISIS or verdict.also_crisis
            named = verdict.language == written_in if setting == written_in else verdict.language
            if not urgent or not named:
                wrong.append(f"{setting}: {text!r} -> {verdict.intent.value} {verdict.language}")
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "written_in"),
    [
        ("me duele el pecho", "es"),
        ("mi papá tiene la cara torcida y habla raro", "es"),
        ("no quiero seguir viviendo", "es"),
    ],
)
def test_an_urgent_verdict_names_the_language_whose_words_fired(text: str, written_in: str) -> None:
    verdict = routers().route(text, language="en")
    assert verdict.urgent and verdict.language == written_in
    own = routers().route(text, language=written_in)
    assert own.urgent and own.language == written_in


def test_english_emergencies_reach_a_person_set_to_another_language() -> None:
    for code in LANGUAGES:
        for text in ("i think im having a heart attack", "i want to end my life"):
            verdict = routers().route(text, language=code)
            assert verdict.urgent and verdict.language == "en", (code, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_safety_net_adds_no_false_alarms_to_harmless_messages(language: str) -> None:
    """The other languages' rules read what the person's language found harmless as harmless."""
    rows = by_label("harmless", language) + by_label("meal", language)
    flagged = [t for _, t in rows if routers().route(t, language=language).urgent]
    assert len(flagged) <= 0.03 * len(rows), flagged


def test_an_unknown_language_is_read_as_english() -> None:
    verdict = routers().route("crushing chest pain", language="xx")
    assert verdict.intent is Intent.EMERGENCY and verdict.language == "en"
    assert routers()["xx"] is routers()["en"]
    assert routers().route("thanks!", language="xx").chat is ChatKind.THANKS


def test_a_verdict_that_is_not_urgent_names_no_language() -> None:
    assert routers().route("oatmeal with banana", language="en").language is None


@pytest.mark.parametrize("language", lexicon_languages())
def test_the_routers_never_raise_for_any_language(language: str) -> None:
    for text in ("", "   ", "🙂", "¿?", "¡¡¡", "ё", "a" * 5000, "180/120 😂", "/start"):
        assert isinstance(routers().route(text, language=language), Verdict)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "es", "ru", "xx"]))
def test_the_routers_never_raise(text: str, language: str) -> None:
    verdict = routers().route(text, language=language)
    assert verdict.intent in set(Intent)


# --- Spanish ---

ES = "es"
needs_es = pytest.mark.skipif(ES not in LANGUAGES, reason="no Spanish lexicon or corpus")


def es(text: str, **kwargs: bool) -> Verdict:
    return routers().route(text, language=ES, **kwargs)


@needs_es
@pytest.mark.parametrize("text", ["hola", "Hola!", "buenas", "buenos días", "holaa 👋", "que tal"])
def test_a_spanish_greeting_is_small_talk_not_a_meal(text: str) -> None:
    verdict = es(text)
    assert verdict.intent is Intent.CHAT and verdict.chat is ChatKind.GREETING
    assert routers().route(text, language="en").intent is not Intent.MEAL


@needs_es
@pytest.mark.parametrize(
    ("text", "chat"),
    [
        ("gracias!!", ChatKind.THANKS),
        ("vale", ChatKind.OK),
        ("ok", ChatKind.OK),
        ("chao", ChatKind.BYE),
    ],
)
def test_spanish_small_talk(text: str, chat: ChatKind) -> None:
    assert es(text).chat is chat


@needs_es
@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("para", Command.STOP),
        ("ya no quiero mensajes", Command.STOP),
        ("pausa una semana", Command.PAUSE),
        ("ya volví", Command.RESUME),
        ("ayuda", Command.HELP),
        ("configuración", Command.SETTINGS),
        ("borra mis datos", Command.FORGET),
        ("empezar", Command.START),
    ],
)
def test_spanish_commands_in_words(text: str, command: Command) -> None:
    verdict = es(text)
    assert verdict.intent is Intent.COMMAND and verdict.command is command


@needs_es
def test_a_spanish_sentence_that_merely_contains_a_command_word_is_not_a_command() -> None:
    assert es("quiero dejar de comer tanto azúcar").intent is not Intent.COMMAND
    assert es("para que sirve el magnesio").intent is not Intent.COMMAND


@needs_es
@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("no me duele el pecho, solo estoy cansada", False),
        ("sin dolor de pecho ni mareos", False),
        ("tengo 185/100 pero sin dolor de cabeza", False),
        ("no tengo dolor de pecho pero no puedo respirar", True),
        ("nunca había tenido un dolor de pecho así", True),
        ("no sé si es acidez o dolor de pecho", True),
    ],
)
def test_spanish_negated_symptoms(text: str, urgent: bool) -> None:
    assert es(text).urgent is urgent


@needs_es
@pytest.mark.parametrize(
    ("text", "systolic", "diastolic"),
    [
        ("tension 185 sobre 110", 185, 110),
        ("la tensión en 18/11", 180, 110),
        ("18 de máxima y 11 de mínima", 180, 110),
        ("la presion 190 con 95", 190, 95),
    ],
)
def test_spanish_blood_pressure_readings(text: str, systolic: int, diastolic: int) -> None:
    reading = blood_pressure(routers()[ES].normalise(text))
    assert reading is not None and (reading.systolic, reading.diastolic) == (systolic, diastolic)
    assert blood_pressure(routers()[ES].normalise("el 18/11 desayuné avena")) is None


@needs_es
def test_a_very_high_spanish_reading_is_advice_alone_and_an_emergency_with_a_symptom() -> None:
    calm = es("hoy me salió la tensión 185/100 y estoy bien")
    assert not calm.urgent and Referral.HIGH_READING in calm.referrals
    assert es("tensión 19/12 y me duele mucho la cabeza").intent is Intent.EMERGENCY


@needs_es
@pytest.mark.parametrize(
    "text",
    [
        "me muero de hambre",
        "me mata el trabajo",
        "estoy muerta de cansancio",
        "se me parte el corazón",
        "casi me da un infarto al ver la factura",
        "mi tía vino a comer",
        "hoy caminé 5 kms",
    ],
)
def test_spanish_figures_of_speech_are_not_urgent(text: str) -> None:
    assert not es(text).urgent


@needs_es
@pytest.mark.parametrize(
    ("text", "referral"),
    [
        ("tomo sintrom", Referral.WARFARIN),
        ("estoy con acenocumarol", Referral.WARFARIN),
        ("tomo omeprazol", Referral.PPI),
        ("tomo furosemida", Referral.DIURETIC),
        ("tomo digoxina", Referral.DIGOXIN),
        ("estoy embarazada", Referral.PREGNANCY),
        ("tengo palpitaciones a veces", Referral.PALPITATIONS),
    ],
)
def test_spanish_medicine_names_get_their_referral(text: str, referral: Referral) -> None:
    verdict = es(text)
    assert not verdict.urgent and referral in verdict.referrals


@needs_es
@pytest.mark.parametrize(
    ("text", "corrected"),
    [("me duele el pexo", "me duele el pecho"), ("no puedo respirrar", "no puedo respirar")],
)
def test_spanish_typos_of_key_words_are_corrected(text: str, corrected: str) -> None:
    assert routers()[ES].normalise(text) == corrected


@needs_es
def test_an_emergency_wins_in_spanish_even_while_a_question_is_open() -> None:
    assert es("Madrid", awaiting_answer=True).intent is Intent.ANSWER
    assert es("se me duerme el brazo y me duele el pecho", awaiting_answer=True).urgent


# --- Rules that read the language's own words (lexicon keys, not English in the code) ---

RU = "ru"
needs_ru = pytest.mark.skipif(RU not in LANGUAGES, reason="no Russian lexicon or corpus")


def verdict(text: str, language: str, **kwargs: bool) -> Verdict:
    return routers().route(text, language=language, **kwargs)


@pytest.mark.parametrize(
    ("language", "text", "systolic"),
    [
        ("en", "bp 190 and a bad headache", 190),
        ("en", "my top number was 200 and my vision is blurry", 200),
        ("es", "la presión me salió 190 y me duele mucho la cabeza", 190),
        ("es", "tensión 19 y me duele la cabeza", 190),  # Spain's cmHg
        ("es", "la máxima en 200 y veo borroso", 200),
        ("ru", "давление 200 и болит голова", 200),
        ("ru", "верхнее 190, голова раскалывается", 190),
        ("ru", "АД 210 и тошнит", 210),
    ],
)
def test_a_lone_top_number_after_the_languages_own_words_is_a_reading(
    language: str, text: str, systolic: int
) -> None:
    router = routers()[language]
    t = router.normalise(text)
    assert language == "en" or not {"systolic", "bp"} & set(t.split())  # no English inserted
    reading = router.triage.reading(t)
    assert reading is not None and (reading.systolic, reading.diastolic) == (systolic, None)
    found = verdict(text, language)
    assert found.intent is Intent.EMERGENCY and found.language == language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "bp 190 this morning, feel fine"),
        ("es", "tension 190 esta mañana, me encuentro bien"),
        ("ru", "давление 190 утром, чувствую себя нормально"),
    ],
)
def test_a_lone_high_top_number_without_symptoms_is_a_referral(language: str, text: str) -> None:
    found = verdict(text, language)
    assert not found.urgent and Referral.HIGH_READING in found.referrals


@pytest.mark.parametrize(
    "text", ["esperé en la consulta con tensión 19 minutos", "la máxima de hoy 19 grados"]
)
def test_spanish_cmhg_is_not_read_into_minutes_or_degrees(text: str) -> None:
    router = routers()[ES]
    assert router.triage.reading(router.normalise(text)) is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "pain in my jaw and my arm"),
        ("es", "me duele la mandíbula y el brazo"),
        ("es", "dolor en el brazo y en la espalda"),
        ("ru", "болит челюсть и рука"),
        ("ru", "боль в челюсти и в руке"),
    ],
)
def test_pain_in_a_primary_site_and_another_is_an_emergency_in_every_language(
    language: str, text: str
) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.EMERGENCY and found.reason == "pain in two places"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my jaw is tight from clenching my teeth at night"),
        ("es", "tengo la mandíbula tensa de apretar los dientes por la noche"),
        ("ru", "болит челюсть, ночью скриплю зубами"),
        ("en", "my neck and shoulders ache"),
        ("es", "me duele el cuello y la espalda"),
        ("ru", "болит шея и спина"),
    ],
)
def test_one_place_twice_or_two_places_without_the_jaw_or_an_arm_are_not(
    language: str, text: str
) -> None:
    assert not verdict(text, language).urgent


def test_primary_sites_must_be_written_as_in_sites() -> None:
    data = tomllib.loads((MESSAGES_DIR / "en" / "understanding.toml").read_text())
    data["emergency"]["primary_sites"].append("elbow")
    with pytest.raises(ValidationError) as refused:
        Lexicon.model_validate(data)
    assert "primary_sites" in str(refused.value)


@pytest.mark.parametrize("language", ["en", "es", "ru"])
@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("emergency", "bp_words"),
        ("emergency", "primary_sites"),
        ("emergency", "negation_joiners"),
        ("emergency", "negation_articles"),
        ("commands", "joiners"),
        ("questions", "fillers"),
    ],
)
def test_the_words_the_rules_read_are_in_every_lexicon_and_checked(
    language: str, section: str, name: str
) -> None:
    data = tomllib.loads((MESSAGES_DIR / language / "understanding.toml").read_text())
    assert data[section][name], (language, section, name)
    data[section][name] = ["(unclosed"]
    with pytest.raises(ValidationError) as refused:
        Lexicon.model_validate(data)
    assert f"{section}.{name}" in str(refused.value)


@pytest.mark.parametrize(
    ("language", "text", "urgent"),
    [
        ("en", "no dizziness or chest pain", False),
        ("en", "no dizziness/chest pain", False),
        ("en", "no dizziness nor any chest pain", False),
        ("en", "no dizziness but chest pain", True),
        ("es", "sin mareos ni dolor de pecho", False),
        ("es", "no tengo mareos o dolor de pecho", False),
        ("es", "no tengo mareo ni dolor de pecho ni falta de aire", False),
        ("es", "sin mareos pero con dolor de pecho", True),
        # "y" does not carry a negation over: the second half says what is there
        ("es", "no me duele el pecho y me falta el aire estando sentada", True),
        ("ru", "нет одышки и боли в груди", False),
        ("ru", "нет ни одышки, ни боли в груди", False),
        ("ru", "без головокружения или боли в груди", False),
        ("ru", "нет одышки, но болит грудь", True),
        # the case says it: "боль" (nominative) is there, "боли" (genitive) would be negated
        ("ru", "нет температуры и боль в груди", True),
    ],
)
def test_a_negation_carries_over_the_languages_joiners(
    language: str, text: str, urgent: bool
) -> None:
    assert verdict(text, language).urgent is urgent


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "hi, quick question how much magnesium do i need"),
        ("es", "hola, una pregunta cuánto magnesio necesito al día"),
        ("es", "oye y cuanto cafe puedo tomar"),
        ("ru", "а скажите, сколько магния нужно в день"),
        ("ru", "добрый день, вопрос сколько кофе можно пить"),
    ],
)
def test_leading_fillers_of_each_language_are_skipped_before_the_question_word(
    language: str, text: str
) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.QUESTION and found.answer is not AnswerKind.UNANSWERED


@pytest.mark.parametrize(
    ("language", "text", "command"),
    [
        ("en", "stop. seriously stop", Command.STOP),
        ("es", "para, en serio para", Command.STOP),
        ("es", "ayuda por favor ayuda", Command.HELP),
        ("ru", "стоп, я сказал стоп", Command.STOP),
        ("ru", "хватит, ну хватит уже", Command.STOP),
    ],
)
def test_repeated_commands_joined_by_the_languages_words(
    language: str, text: str, command: Command
) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.COMMAND and found.command is command


@pytest.mark.parametrize("language", ["en", "es", "ru"])
@pytest.mark.parametrize("text", ["🍌🥛", "🥑🍳", "☕"])
def test_food_emoji_alone_are_a_meal_in_every_language(language: str, text: str) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.MEAL and found.meal is not None and found.meal.items
    assert verdict(text, language, awaiting_answer=True).intent is Intent.ANSWER
    assert verdict("👍", language).intent is Intent.CHAT


@pytest.mark.parametrize("setting", ["en", "es", "ru"])
@pytest.mark.parametrize(
    "text",
    [
        "mi tía vino a comer",
        "tia, que hambre tengo",
        "la tia Maria viene a cenar",
        "hoy caminé 10 kms",
        "ayer corrí unos kms con mi tía",
        "walked 5 kms along the river",
        "a tia maria with my coffee",
    ],
)
def test_an_aunt_and_kilometres_are_not_a_stroke_or_a_crisis(setting: str, text: str) -> None:
    assert not verdict(text, setting).urgent, setting
    assert not ROUTER.route(text).urgent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("i think i just had a tia", Intent.EMERGENCY),
        ("could this be a tia? my arm went numb", Intent.EMERGENCY),
        ("my dad is having a tia", Intent.EMERGENCY),
        ("mum might be having a mini stroke", Intent.EMERGENCY),
        ("tia symptoms again, face feels odd", Intent.EMERGENCY),
        ("kms", Intent.CRISIS),
        ("gonna kms tonight", Intent.CRISIS),
        ("not joking i want to kms", Intent.CRISIS),
    ],
)
def test_english_tia_and_kms_are_still_read(text: str, intent: Intent) -> None:
    assert ROUTER.route(text).intent is intent


def test_a_tia_in_the_past_is_a_referral_not_an_emergency() -> None:
    found = ROUTER.route("i had a tia two years ago, is magnesium ok for me")
    assert not found.urgent and Referral.HEART_CONDITION in found.referrals


@pytest.mark.parametrize(
    ("language", "text", "entry"),
    [
        ("es", "las nueces son buenas para el corazon", "foods_nuts"),
        ("es", "el chocolate negro es bueno para el corazón", "foods_dark_chocolate"),
        ("es", "el café es malo", "caffeine_coffee"),
        ("ru", "грецкие орехи полезны для сердца", "foods_nuts"),
        ("ru", "горький шоколад полезен для сердца", "foods_dark_chocolate"),
        ("ru", "кофе вреден", "caffeine_coffee"),
        ("en", "walnuts are good for the heart", "foods_nuts"),
    ],
)
def test_a_yes_no_question_without_a_question_mark_is_a_question(
    language: str, text: str, entry: str
) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.QUESTION and found.entry is not None
    assert found.entry.id == entry


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "comí nueces en la merienda, estaban buenísimas"),
        ("es", "desayuné avena con plátano, muy sano"),
        ("ru", "съел полезный завтрак: овсянку с бананом"),
        ("ru", "на обед полезный салат с фасолью"),
    ],
)
def test_a_meal_called_healthy_is_still_a_meal(language: str, text: str) -> None:
    assert verdict(text, language).intent is Intent.MEAL


@pytest.mark.parametrize(
    ("language", "text", "wrong_entry"),
    [
        ("en", "is chicken good for the heart", "foods_leafy_greens"),
        ("es", "es bueno el aguacate para el corazon?", "foods_leafy_greens"),
    ],
)
def test_a_near_copy_of_an_example_about_another_food_is_not_that_answer(
    language: str, text: str, wrong_entry: str
) -> None:
    found = verdict(text, language)
    assert found.intent is Intent.QUESTION
    assert found.entry is None or found.entry.id != wrong_entry
    assert found.answer is AnswerKind.FOOD_INFO  # the food's own magnesium instead


def test_a_near_copy_with_only_typos_still_finds_its_answer() -> None:
    found = ROUTER.route("is kale good for the hart?")
    assert found.entry is not None and found.entry.id == "foods_leafy_greens"


# --- The blind check: written before it was run, held to the accuracy it reached ---

# Every emergency and crisis caught, in every language; the other kinds at what they reached.
BLIND_BARS = {"emergency": 1.0, "crisis": 1.0, "harmless": 1.0, "meal": 1.0, "question": 1.0}


def blind_rows(language: str) -> list[tuple[str, str]]:
    rows = []
    for line in BLIND.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text, written_in = line.split("\t")
            if written_in == language:
                rows.append((label, text))
    return rows


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_the_blind_check_is_large_enough(language: str) -> None:
    rows = blind_rows(language)
    counts = Counter(label for label, _ in rows)
    assert len(rows) >= 40 and set(counts) == set(BLIND_BARS), counts
    assert all(counts[kind] >= 8 for kind in BLIND_BARS), counts


@pytest.mark.parametrize(
    ("language", "kind"),
    [
        pytest.param(
            language,
            kind,
            marks=[waits_on_food_index(language)]
            if language != "en" and kind in FOOD_KINDS
            else [],
        )
        for language in ("en", "es", "ru")
        for kind in BLIND_BARS
    ],
)
def test_the_blind_check_reaches_its_bar(language: str, kind: str) -> None:
    rows = [(label, text) for label, text in blind_rows(language) if label == kind]
    wrong = [
        f"{text!r} -> {found.intent.value}"
        for label, text in rows
        if not fits(label, found := verdict(text, language))
    ]
    assert len(wrong) <= (1 - BLIND_BARS[kind]) * len(rows), wrong


@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [("heard", "heart"), ("sheep", "sleep"), ("butter", "better"), ("chili", "child")],
)
def test_an_ordinary_english_word_is_never_a_typo_of_a_match_word(
    word: str, not_read_as: str
) -> None:
    assert ROUTER.knowledge._near_word(word) is None, not_read_as
    assert ROUTER.knowledge._near_word("cholestrol") == "cholesterol"  # a real typo still is
