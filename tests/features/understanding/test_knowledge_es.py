"""The Spanish knowledge base (messages/es/knowledge.toml): the English entries, matched the way
Spanish speakers type.

The file mirrors messages/en/knowledge.toml (ids, topics, sources, the number of concept groups)
and is checked here without the router. The matching is checked with the Spanish lexicon's
Normaliser, as the router builds it: every example finds its own entry, and questions written
apart from the examples (no accents, no "¿", typos, Spain and Latin American words) find the
right one at least 90% of the time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import tomli

from nudgebot.features.meals.foods import load_ordinary
from nudgebot.features.understanding.knowledge import KnowledgeBase, KnowledgeEntry, KnowledgeFile
from nudgebot.features.understanding.lexicon import Lexicon
from nudgebot.features.understanding.text import Concept, Normaliser

MESSAGES = Path(__file__).resolve().parents[3] / "messages"
KNOWLEDGE_ES = MESSAGES / "es" / "knowledge.toml"
KNOWLEDGE_EN = MESSAGES / "en" / "knowledge.toml"
LEXICON_ES = MESSAGES / "es" / "understanding.toml"

needs_lexicon = pytest.mark.skipif(
    not LEXICON_ES.exists(),
    reason="messages/es/understanding.toml does not exist yet: Spanish matching is checked with "
    "the Spanish lexicon's Normaliser",
)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomli.load(fh)


ENTRIES: tuple[KnowledgeEntry, ...] = tuple(KnowledgeFile.model_validate(_read(KNOWLEDGE_ES)).entry)
ENGLISH: tuple[KnowledgeEntry, ...] = tuple(KnowledgeFile.model_validate(_read(KNOWLEDGE_EN)).entry)


# ------------------------------------------------------------------ the file mirrors English


def test_every_english_entry_is_there_with_the_same_id_topic_source_and_groups() -> None:
    spanish = {entry.id: entry for entry in ENTRIES}
    assert [entry.id for entry in ENTRIES] == [entry.id for entry in ENGLISH]
    for english in ENGLISH:
        entry = spanish[english.id]
        assert (entry.topic, entry.source, entry.personal) == (
            english.topic,
            english.source,
            english.personal,
        ), english.id
        assert len(entry.match) == len(english.match), english.id


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_answers_are_short_plain_and_examples_varied(entry: KnowledgeEntry) -> None:
    assert 3 <= len(entry.examples) <= 6, entry.id
    if entry.personal is None:
        assert len(entry.answer) <= 600
        assert not re.search(r"[<>*_`]", entry.answer), "plain text only"
        assert not re.search(r"\busted\b|\bvosotros\b", entry.answer, re.I), "tú, neutral"


def _figures(text: str) -> list[str]:
    """The numbers of an answer, ounces as the grams the Spanish answers give."""
    for ounces, grams in (
        ("3.5 oz", "100 g"),
        ("1 oz", "28 g"),
        ("3 oz", "85 g"),
        ("8 oz", "227 g"),
    ):
        text = text.replace(ounces, grams)
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


# Figures a Spanish answer adds on purpose: "100 % fruta" (pure juice), the Spanish name of Life's
# Essential 8, and "19:30" for "7:30pm".
ADDED_FIGURES = {
    "foods_fruit_juice": ["100"],
    "heart_lifes_essential_8": ["8"],
    "bot_change_time": ["19"],
}
DROPPED_FIGURES = {"bot_change_time": ["7"]}


@pytest.mark.parametrize("english", [e for e in ENGLISH if e.personal is None], ids=lambda e: e.id)
def test_answers_keep_the_english_figures(english: KnowledgeEntry) -> None:
    entry = next(e for e in ENTRIES if e.id == english.id)
    want = _figures(english.answer)
    for figure in DROPPED_FIGURES.get(entry.id, []):
        want.remove(figure)
    assert _figures(entry.answer) == sorted(want + ADDED_FIGURES.get(entry.id, []))


def test_supplement_answers_give_no_dose_but_the_upper_limit() -> None:
    for entry in ENTRIES:
        if entry.topic == "supplements":
            assert set(re.findall(r"(\d[\d.,]*) ?mg", entry.answer)) <= {"350"}, entry.id


# ------------------------------------------------------------------ matching, Spanish lexicon


class Spanish:
    """The knowledge base as the Spanish router reads a message."""

    def __init__(self) -> None:
        lexicon = Lexicon.model_validate(_read(LEXICON_ES), context={"language": "es"})
        self.normalise = Normaliser(
            rewrites=lexicon.normalise.rewrites,
            emoji_words=lexicon.normalise.emoji_words,
            vocabulary=lexicon.typos.vocabulary,
            real_words=lexicon.typos.real_words,
        )
        self.knowledge = KnowledgeBase(ENTRIES, self.normalise, ordinary_words=load_ordinary("es"))
        fillers = "|".join(f"(?:{f})" for f in lexicon.questions.fillers)
        self._filler = re.compile(rf"^(?:(?:{fillers})\b ?)+")
        openers = "|".join(f"(?:{o})" for o in lexicon.questions.openers)
        self._opener = re.compile(rf"^(?:{openers})\b")
        self._marker = Concept("markers", lexicon.questions.markers)

    def entry(self, raw: str) -> str | None:
        """The id of the entry a message finds, a question told apart as Router does it."""
        t = self.normalise(raw)
        opener = bool(self._opener.match(self._filler.sub("", t)))
        question = "?" in raw or "¿" in raw or opener or self._marker(t)
        found = self.knowledge.match(t, question=question)
        return found.id if found is not None else None


@pytest.fixture(scope="module")
def spanish() -> Spanish:
    return Spanish()


@needs_lexicon
def test_every_example_finds_its_own_entry(spanish: Spanish) -> None:
    wrong = [
        (entry.id, example, spanish.entry(example))
        for entry in ENTRIES
        for example in entry.examples
        if spanish.entry(example) != entry.id
    ]
    assert not wrong, "\n".join(f"{i}: {ex!r} -> {got}" for i, ex, got in wrong)


# Questions written apart from the examples, the way people type them.
HELD_OUT = [
    ("mg_what_is", "para que sirve el magnesio"),
    ("mg_heart", "el magnesio protege el corazon?"),
    ("mg_heart", "¿es cierto que el magnesio cuida el corazón?"),
    ("mg_blood_pressure", "me baja la presion el magnesio?"),
    ("mg_blood_pressure", "magnesio para la tension alta"),
    ("mg_heart_rhythm", "¿el magnesio es bueno para la fibrilación auricular?"),
    ("mg_heart_rhythm", "tengo arritmias, el magnesio me puede venir bien?"),
    ("mg_inflammation_arteries", "¿el magnesio sirve para la inflamacion?"),
    ("mg_deficiency_signs", "¿como saber si me falta magnesio?"),
    ("mg_deficiency_signs", "¿Qué síntomas da tener déficit de magnesio?"),
    ("mg_test", "¿Se puede medir el magnesio con un análisis de sangre?"),
    ("mg_risk_groups", "¿los mayores tienen más riesgo de magnesio bajo?"),
    ("mg_too_much", "¿el exceso de magnesio es peligroso?"),
    ("mg_sleep", "¿tomar magnesio antes de dormir ayuda?"),
    ("mg_cramps", "¿por qué me dan calambres en las piernas?"),
    ("mg_anxiety_stress", "¿El magnesio calma la ansiedad?"),
    ("mg_diabetes", "soy diabetico, me sirve el magnesio?"),
    ("mg_vs_potassium", "¿que diferencia hay entre potasio y magnesio?"),
    ("target_why_differ", "¿por qué las mujeres necesitan menos magnesio?"),
    ("target_pregnancy", "¿cuánto magnesio necesito durante la lactancia?"),
    ("target_teens", "¿Cuánto magnesio necesita una niña de 15 años?"),
    ("target_daily_amounts", "¿cuánto magnesio al día necesita un hombre de 50 años?"),
    ("foods_vegan_vegetarian", "soy vegana, de donde saco el magnesio?"),
    ("foods_nuts", "¿cuántas nueces al día puedo comer?"),
    ("foods_dark_chocolate", "¿puedo comer chocolate negro si cuido mi corazón?"),
    ("foods_banana", "¿la banana tiene mucho potasio?"),
    ("foods_whole_grains", "¿la avena tiene mucho magnesio?"),
    ("foods_leafy_greens", "las espinacas son buenas para el corazon?"),
    ("foods_legumes", "¿los porotos son buenos para el corazón?"),
    ("foods_seeds", "¿las semillas de girasol son buenas?"),
    ("foods_cooking_losses", "¿se pierde el magnesio al cocinar las verduras?"),
    ("foods_fruit_juice", "¿los jugos naturales son sanos?"),
    ("foods_snacks", "¿qué puedo comer entre horas que sea sano?"),
    ("foods_breakfast_ideas", "¿qué puedo desayunar que sea sano?"),
    ("foods_meal_ideas", "dame ideas de cenas saludables"),
    ("foods_potato", "¿las papas con cáscara son sanas?"),
    ("foods_milk_yogurt", "¿el yogur es bueno para el corazón?"),
    ("foods_day_example", "¿me das un ejemplo de menú rico en magnesio?"),
    ("foods_best_sources", "¿qué comida tiene más magnesio?"),
    ("supp_should_i_take", "¿es bueno tomar suplementos de magnesio?"),
    ("supp_which_form", "¿Qué es mejor, el citrato o el bisglicinato de magnesio?"),
    ("supp_safe_amount", "¿cuántas cápsulas de magnesio puedo tomar al día?"),
    ("supp_kidney_disease", "Tengo insuficiencia renal, ¿puedo tomar suplementos de magnesio?"),
    ("supp_medicine_interactions", "¿el magnesio interfiere con el sintrom?"),
    ("caffeine_coffee", "¿el café es malo para la presión?"),
    ("caffeine_pregnancy", "¿puedo tomar cafe durante el embarazo?"),
    ("caffeine_tea", "¿la manzanilla es buena?"),
    ("caffeine_energy_drinks", "¿el monster es malo para el corazón?"),
    ("caffeine_sleep", "¿el café de la tarde me quita el sueño?"),
    ("caffeine_decaf", "¿el descafeinado sube la tensión?"),
    ("alcohol_limits", "¿cuántas copas de vino puedo tomar a la semana?"),
    ("alcohol_red_wine", "¿Es verdad que una copa de vino tinto es buena para el corazón?"),
    ("alcohol_magnesium", "¿el alcohol baja el magnesio?"),
    ("salt_daily_limit", "¿cuántos gramos de sal al día son recomendables?"),
    ("salt_cut_down", "trucos para comer con menos sal"),
    ("salt_potassium", "¿qué frutas tienen potasio?"),
    ("salt_sea_salt", "¿la sal del himalaya es mejor?"),
    ("activity_how_much", "¿cuántos minutos de ejercicio hay que hacer?"),
    ("activity_getting_started", "quiero empezar a hacer deporte, ¿por dónde empiezo?"),
    ("activity_heart_condition", "tuve un infarto el año pasado, ¿puedo hacer ejercicio?"),
    ("activity_walking", "¿caminar media hora al día es suficiente?"),
    ("activity_strength", "¿es bueno hacer pesas para el corazón?"),
    ("activity_intensity", "¿como se si estoy haciendo ejercicio moderado?"),
    ("activity_sitting", "trabajo sentado todo el dia, es malo?"),
    ("activity_best_type", "¿qué ejercicio es mejor para el corazón, nadar o correr?"),
    ("activity_every_day", "¿puedo caminar todos los dias?"),
    ("stress_and_heart", "¿el estrés puede causar problemas de corazón?"),
    ("stress_management", "¿cómo controlo el estrés del trabajo?"),
    ("stress_breathing_exercise", "¿Me enseñas alguna técnica de respiración para relajarme?"),
    ("stress_support", "me siento muy solo últimamente"),
    ("stress_yoga_meditation", "¿el yoga ayuda a bajar la tension?"),
    ("sleep_how_much", "¿Cuántas horas debería dormir?"),
    ("sleep_better", "duermo muy mal, ¿qué puedo hacer?"),
    ("sleep_apnoea", "¿roncar es malo para el corazon?"),
    ("sleep_and_heart", "¿dormir poco es malo para el corazón?"),
    ("heart_dash_diet", "¿en qué consiste la dieta dash?"),
    ("heart_cholesterol", "¿el huevo sube el colesterol?"),
    ("heart_fish_omega3", "¿las sardinas son buenas para el corazón?"),
    ("heart_added_sugar", "¿los refrescos son malos para el corazón?"),
    ("heart_lower_blood_pressure", "¿cómo controlar la hipertensión con la dieta?"),
    ("heart_smoking", "¿el cigarro electrónico es malo para el corazón?"),
    ("heart_warning_signs", "¿cuáles son los síntomas de un problema cardíaco?"),
    ("heart_mediterranean", "¿En qué consiste la dieta mediterránea?"),
    ("heart_red_meat", "¿el chorizo es malo para el corazón?"),
    ("heart_fibre", "¿dónde hay fibra?"),
    ("heart_resting_rate", "¿cuál es el pulso normal en reposo?"),
    ("heart_intermittent_fasting", "¿el ayuno intermitente es seguro?"),
    ("heart_healthy_eating", "¿qué comer para cuidar el corazón?"),
    ("heart_normal_bp", "¿cuál es la tensión ideal?"),
    ("bot_change_time", "¿Puedo cambiar la hora a la que me llegan los consejos?"),
    ("bot_topics", "¿puedo recibir solo consejos de estrés?"),
    ("bot_pause", "¿puedo pausar los consejos una semana?"),
    ("bot_stop", "¿Cómo me doy de baja?"),
    ("bot_data_stored", "¿qué información tienes sobre mí?"),
    ("bot_delete_data", "¿Puedes borrar todos mis datos?"),
    ("bot_undo_checkin", "me equivoqué con la última comida"),
    ("bot_are_you_a_doctor", "¿eres un robot?"),
    ("bot_sources", "¿de donde sacas la informacion?"),
    ("bot_log_meal", "¿cómo registro mi comida?"),
    ("bot_what_can_you_do", "¿Para qué sirve este bot?"),
    ("bot_progress", "¿cuánto magnesio llevo esta semana?"),
    ("bot_another_tip", "dame otro consejo"),
    ("bot_how_often", "¿cuántos mensajes me mandas al día?"),
    ("bot_languages", "¿hablas inglés?"),
    ("my_target", "¿cuál es mi meta diaria de magnesio?"),
    ("my_target", "¿Cuánto magnesio necesito yo?"),
]


def test_the_held_out_table_is_large_and_names_real_entries() -> None:
    ids = {entry.id for entry in ENTRIES}
    assert len(HELD_OUT) >= 30
    assert {entry_id for entry_id, _ in HELD_OUT} <= ids
    examples = {example for entry in ENTRIES for example in entry.examples}
    assert not {text for _, text in HELD_OUT} & examples, "held-out questions are not examples"


@needs_lexicon
def test_held_out_questions_find_the_right_entry(spanish: Spanish) -> None:
    wrong = [(want, text, spanish.entry(text)) for want, text in HELD_OUT]
    wrong = [(want, text, got) for want, text, got in wrong if got != want]
    right = len(HELD_OUT) - len(wrong)
    assert right >= 0.9 * len(HELD_OUT), f"{right}/{len(HELD_OUT)} right:\n" + "\n".join(
        f"  {want}: {text!r} -> {got}" for want, text, got in wrong
    )


# ------------------------------------------------------------------ how the words are read


@needs_lexicon
@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [("pollo", "poleo"), ("hambre", "hombre"), ("manzana", "manana"), ("mexico", "medico")],
)
def test_an_ordinary_word_is_never_a_typo_of_a_match_word(
    spanish: Spanish, word: str, not_read_as: str
) -> None:
    assert spanish.knowledge._near_word(word) is None, not_read_as


@needs_lexicon
def test_chicken_is_not_read_as_pennyroyal_tea(spanish: Spanish) -> None:
    assert spanish.entry("¿el pollo es sano?") != "caffeine_tea"


@needs_lexicon
@pytest.mark.parametrize(
    ("text", "entry"),
    [
        # "hipertencion" starts like the match word "hipertens" with one typo
        ("la hipertencion se controla con magnesio?", "mg_blood_pressure"),
        ("el magnecio baja la tencion?", "mg_blood_pressure"),
    ],
)
def test_a_typo_in_the_start_of_a_longer_word_is_forgiven(
    spanish: Spanish, text: str, entry: str
) -> None:
    assert spanish.entry(text) == entry


@needs_lexicon
def test_a_near_copy_about_another_food_does_not_take_that_answer(spanish: Spanish) -> None:
    # "es bueno el aguacate para el corazon" is close to a leafy-greens example, but names no greens
    assert spanish.entry("es bueno el aguacate para el corazon?") != "foods_leafy_greens"
    assert spanish.entry("las nueces son buenas para el corazon") == "foods_nuts"
