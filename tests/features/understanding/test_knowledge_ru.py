"""The Russian knowledge base (messages/ru/knowledge.toml): the English entries, matched in Russian.

The file's shape is checked always; the matching needs the Russian lexicon's normaliser
(messages/ru/understanding.toml) and is skipped, saying so, until that file exists.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from nudgebot.features.meals.foods import load_ordinary
from nudgebot.features.understanding.knowledge import KnowledgeBase, KnowledgeEntry, KnowledgeFile
from nudgebot.features.understanding.lexicon import Lexicon
from nudgebot.features.understanding.text import Normaliser

MESSAGES = Path(__file__).resolve().parents[3] / "messages"
EN_FILE = MESSAGES / "en" / "knowledge.toml"
RU_FILE = MESSAGES / "ru" / "knowledge.toml"
RU_LEXICON = MESSAGES / "ru" / "understanding.toml"
MAX_ANSWER = 600
MIN_RIGHT = 0.90

needs_lexicon = pytest.mark.skipif(
    not RU_LEXICON.exists(),
    reason="messages/ru/understanding.toml does not exist yet (matching needs its normaliser)",
)


def _entries(path: Path) -> list[KnowledgeEntry]:
    return list(KnowledgeFile.model_validate(tomllib.loads(path.read_text("utf-8"))).entry)


RU = _entries(RU_FILE)
EN = _entries(EN_FILE)

# Questions written for this test, not copied from any entry's examples. "none": a question the
# knowledge base must leave alone (a food's magnesium goes to the food table; off-topic talk).
HELD_OUT = (
    ("mg_heart", "правда что магний нужен сердцу"),
    ("mg_heart", "Магний как-то влияет на работу сердца?"),
    ("mg_blood_pressure", "если пить магний упадет ли давление"),
    ("mg_blood_pressure", "магний при гипертонии помогает или это миф"),
    ("mg_blood_pressure", "магнезия понижает давление?"),
    ("mg_heart_rhythm", "у меня аритмия, магний поможет?"),
    ("mg_heart_rhythm", "экстрасистолы и магний есть связь?"),
    ("mg_inflammation_arteries", "магний чистит сосуды от бляшек?"),
    ("mg_deficiency_signs", "как понять что в организме мало магния"),
    ("mg_deficiency_signs", "признаки дефицита магния у взрослых"),
    ("mg_deficiency_signs", "симптомы нехватки магния у женщин"),
    ("mg_test", "какой анализ сдать чтобы узнать уровень магния"),
    ("mg_test", "как узнать сколько магния в крови, какой анализ"),
    ("mg_risk_groups", "у кого бывает дефицит магния"),
    ("mg_too_much", "можно ли отравиться магнием"),
    ("mg_too_much", "бывает передозировка магнием?"),
    ("mg_sleep", "правда ли что магний помогает от бессонницы"),
    ("mg_sleep", "магний перед сном пить помогает?"),
    ("mg_cramps", "ночью сводит ноги что делать"),
    ("mg_cramps", "икры сводит по ночам"),
    ("mg_anxiety_stress", "магний успокаивает нервы?"),
    ("mg_anxiety_stress", "магний от нервов и тревожности"),
    ("mg_diabetes", "при сахарном диабете магний нужен?"),
    ("mg_vs_potassium", "чем калий отличается от магния"),
    ("mg_what_is", "для чего вообще нужен магний"),
    ("target_why_differ", "почему у женщин норма магния меньше"),
    ("target_daily_amounts", "норма магния в сутки для мужчины"),
    ("target_daily_amounts", "сколько мг магния нужно взрослому в день"),
    ("target_pregnancy", "я беременна, сколько мне нужно магния"),
    ("target_teens", "сколько магния нужно ребенку 15 лет"),
    ("my_target", "какая у меня суточная норма?"),
    ("foods_best_sources", "в каких продуктах больше всего магния"),
    ("foods_best_sources", "что есть чтобы был магний"),
    ("foods_whole_grains", "гречка богата магнием?"),
    ("foods_whole_grains", "овсянка полезна для сердечников?"),
    ("foods_nuts", "грецкие орехи полезны для сердца"),
    ("foods_dark_chocolate", "горький шоколад это источник магния?"),
    ("foods_banana", "бананы полезны для сердца или нет"),
    ("foods_milk_yogurt", "творог полезен для сердца?"),
    ("foods_legumes", "фасоль полезная для сердца"),
    ("foods_seeds", "семечки подсолнечника полезны"),
    ("foods_cooking_losses", "при варке магний теряется?"),
    ("foods_snacks", "чем полезно перекусить на работе"),
    ("foods_breakfast_ideas", "что съесть на завтрак чтобы было полезно для сердца"),
    ("foods_vegan_vegetarian", "я веган, хватит ли мне магния"),
    ("foods_potato", "картошка в мундире полезна?"),
    ("foods_fruit_juice", "свежевыжатый сок полезен?"),
    ("foods_meal_ideas", "что приготовить на ужин полезного"),
    ("foods_day_example", "как набрать норму магния за день едой"),
    ("supp_should_i_take", "стоит ли мне пить магний в таблетках"),
    ("supp_should_i_take", "надо ли пропить магний курсом"),
    ("supp_which_form", "какой магний лучше усваивается цитрат или оксид"),
    ("supp_which_form", "какой магний лучше глицинат или цитрат"),
    ("supp_safe_amount", "сколько таблеток магне б6 можно в сутки"),
    ("supp_safe_amount", "какая безопасная доза магния в таблетках"),
    ("supp_kidney_disease", "у меня хроническая болезнь почек, можно магний?"),
    ("supp_kidney_disease", "магний при почечной недостаточности можно?"),
    ("supp_medicine_interactions", "можно ли магний с таблетками от давления"),
    ("caffeine_coffee", "сколько чашек кофе в день можно пить"),
    ("caffeine_coffee", "кофе повышает давление?"),
    ("caffeine_pregnancy", "можно кофе при беременности"),
    ("caffeine_tea", "зеленый чай полезен для сердца?"),
    ("caffeine_tea", "сколько чая в день можно пить"),
    ("caffeine_energy_drinks", "энергетики опасны для сердца?"),
    ("caffeine_sleep", "во сколько последний кофе чтобы нормально уснуть"),
    ("caffeine_decaf", "кофе без кофеина вреден?"),
    ("alcohol_limits", "сколько можно пить алкоголя в неделю"),
    ("alcohol_limits", "сколько алкоголя в неделю безопасно"),
    ("alcohol_red_wine", "красное вино полезно для сосудов и сердца?"),
    ("alcohol_magnesium", "алкоголь вымывает магний?"),
    ("alcohol_magnesium", "пьющим людям не хватает магния?"),
    ("salt_daily_limit", "сколько грамм соли в день можно"),
    ("salt_cut_down", "как уменьшить соль в еде"),
    ("salt_sea_salt", "морская соль полезнее обычной?"),
    ("salt_potassium", "какие продукты богаты калием"),
    ("salt_vs_sodium", "натрий и соль это одно и тоже"),
    ("activity_how_much", "сколько минут в неделю нужно заниматься"),
    ("activity_getting_started", "с чего начать если никогда не занимался спортом"),
    ("activity_heart_condition", "можно ли заниматься спортом после инфаркта"),
    ("activity_walking", "ходьба полезна для сердца"),
    ("activity_strength", "нужны ли силовые тренировки после 60"),
    ("activity_intensity", "что значит умеренная нагрузка"),
    ("activity_sitting", "работаю сидя весь день, это вредно?"),
    ("activity_best_type", "какой спорт лучше для сердца"),
    ("activity_every_day", "можно ли каждый день бегать"),
    ("stress_management", "как снять стресс после работы"),
    ("stress_and_heart", "может ли стресс вызвать проблемы с сердцем"),
    ("stress_breathing_exercise", "покажите дыхательное упражнение"),
    ("stress_support", "мне очень одиноко"),
    ("stress_yoga_meditation", "йога снижает давление?"),
    ("sleep_how_much", "сколько часов надо спать взрослому"),
    ("sleep_better", "что делать если не могу заснуть"),
    ("sleep_apnoea", "муж сильно храпит это опасно?"),
    ("sleep_and_heart", "недосып вредит сердцу?"),
    ("heart_dash_diet", "что за диета DASH"),
    ("heart_cholesterol", "как понизить холестерин едой"),
    ("heart_lower_blood_pressure", "как снизить давление без лекарств"),
    ("heart_smoking", "как курение влияет на давление"),
    ("heart_red_meat", "свинина вредна для сердца?"),
    ("heart_fish_omega3", "какая рыба полезна для сердца"),
    ("heart_normal_bp", "какое давление считается нормальным"),
    ("heart_healthy_eating", "что нужно есть для здоровья сердца"),
    ("heart_added_sugar", "сладкое вредно для сердца?"),
    ("heart_mediterranean", "средиземноморская диета что это"),
    ("heart_fibre", "зачем нужна клетчатка"),
    ("heart_resting_rate", "какой пульс нормальный в покое"),
    ("heart_intermittent_fasting", "интервальное голодание вредно для сердца?"),
    ("heart_warning_signs", "какие симптомы проблем с сердцем"),
    ("heart_lifes_essential_8", "что такое Life's Essential 8"),
    ("bot_change_time", "как поменять время когда приходят советы"),
    ("bot_stop", "хватит присылать советы"),
    ("bot_pause", "как поставить на паузу"),
    ("bot_delete_data", "удалите все мои данные"),
    ("bot_what_can_you_do", "что умеет этот бот"),
    ("bot_are_you_a_doctor", "ты настоящий врач?"),
    ("bot_another_tip", "дай еще один совет"),
    ("bot_topics", "хочу советы только про питание"),
    ("bot_missing_tip", "почему не приходят советы"),
    ("bot_log_meal", "как записать что я съел"),
    ("bot_progress", "покажи сколько магния я съел сегодня"),
    ("bot_data_stored", "какие данные ты обо мне хранишь"),
    ("bot_who_sees_my_data", "кто видит мои данные"),
    ("bot_sources", "откуда у вас эта информация"),
    ("bot_how_estimate_works", "как ты считаешь магний в еде"),
    ("bot_undo_checkin", "я ошибся в записи как исправить"),
    ("bot_why_age_sex", "зачем указывать возраст"),
    ("bot_languages", "ты понимаешь по-английски?"),
    ("bot_one_person", "может мой муж тоже пользоваться"),
    ("none", "сколько магния в гречке"),
    ("none", "сколько магния в 100 г миндаля"),
    ("none", "сколько магния в банане"),
    ("none", "какая сегодня погода"),
    ("none", "привет как дела"),
    ("none", "кто выиграл матч вчера"),
)


# ---------------------------------------------------------------- the file's shape (always)


def test_every_english_entry_is_here_with_the_same_id_topic_source_and_keys() -> None:
    assert [e.id for e in RU] == [e.id for e in EN]
    for ru, en in zip(RU, EN, strict=True):
        assert (ru.topic, ru.source, ru.personal) == (en.topic, en.source, en.personal), ru.id
        assert bool(ru.answer) == bool(en.answer), ru.id


def test_answers_are_short_and_examples_are_three_to_six() -> None:
    for entry in RU:
        assert len(entry.answer) <= MAX_ANSWER, (entry.id, len(entry.answer))
        assert 3 <= len(entry.examples) <= 6, entry.id


def test_a_supplement_answer_gives_no_figure_but_the_upper_limit() -> None:
    for entry in RU:
        if entry.topic == "supplements":
            figures = set(re.findall(r"(\d[\d\s]*?)\s?мг", entry.answer))
            assert figures <= {"350"}, (entry.id, figures)


def test_match_words_are_lower_case_and_written_with_e_not_yo() -> None:
    for entry in RU:
        for group in entry.match:
            for word in group:
                assert word == word.lower() and "ё" not in word, (entry.id, word)


# ---------------------------------------------------------------- matching (needs the lexicon)


@pytest.fixture(scope="module")
def normalise() -> Normaliser:
    lexicon = Lexicon.model_validate(tomllib.loads(RU_LEXICON.read_text("utf-8")))
    # As Router builds it (nudgebot/features/understanding/router.py).
    return Normaliser(
        rewrites=lexicon.normalise.rewrites,
        emoji_words=lexicon.normalise.emoji_words,
        vocabulary=lexicon.typos.vocabulary,
        real_words=lexicon.typos.real_words,
    )


@pytest.fixture(scope="module")
def knowledge(normalise: Normaliser) -> KnowledgeBase:
    # As Router builds it: the language's ordinary words are never read as typos.
    return KnowledgeBase(RU, normalise, ordinary_words=load_ordinary("ru"))


@needs_lexicon
def test_match_words_are_read_as_written_without_typo_correction(
    normalise: Normaliser, knowledge: KnowledgeBase
) -> None:
    # Only folding and punctuation: every match word stays as written.
    changed = [
        (entry.id, word)
        for entry in RU
        for group in entry.match
        for word in group
        if normalise(word, correct=False) != word
    ]
    assert not changed
    # A stem the typo corrector would turn into a whole word ("сердц" -> "сердца") still
    # matches every form of it: the knowledge base reads its match words uncorrected.
    assert normalise("сердц") != "сердц"
    found = knowledge.match(normalise("магний нужен сердцу?"), question=True)
    assert found is not None and found.id == "mg_heart"


@needs_lexicon
@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [("завтра", "завтрак"), ("город", "горох"), ("печень", "печенье"), ("купить", "курить")],
)
def test_an_ordinary_word_is_never_a_typo_of_a_match_word(
    knowledge: KnowledgeBase, word: str, not_read_as: str
) -> None:
    assert knowledge._near_word(word) is None, not_read_as


@needs_lexicon
def test_tomorrow_is_not_breakfast(knowledge: KnowledgeBase, normalise: Normaliser) -> None:
    found = knowledge.match(normalise("что есть на завтра"), question=True)
    assert found is None or found.id != "foods_breakfast_ideas"
    found = knowledge.match(normalise("что есть на завтрак"), question=True)
    assert found is not None and found.id == "foods_breakfast_ideas"


@needs_lexicon
@pytest.mark.parametrize(
    "text", ["магний помогает при гипертанией?", "магний и гипертаническая болезнь"]
)
def test_a_typo_in_the_start_of_an_inflected_word_is_forgiven(
    knowledge: KnowledgeBase, normalise: Normaliser, text: str
) -> None:
    # "гипертанией" starts like the match word "гипертон" with one typo
    found = knowledge.match(normalise(text), question=True)
    assert found is not None and found.id == "mg_blood_pressure"


@needs_lexicon
def test_a_near_copy_about_another_food_does_not_take_that_answer(
    knowledge: KnowledgeBase, normalise: Normaliser
) -> None:
    # "кекс полезен для сердца" is one letter pair from the example "кейл полезен для сердца"
    found = knowledge.match(normalise("кекс полезен для сердца"), question=True)
    assert found is None or found.id != "foods_leafy_greens"
    found = knowledge.match(normalise("кейл полезен для серца"), question=True)
    assert found is not None and found.id == "foods_leafy_greens"


@needs_lexicon
def test_every_example_finds_its_own_entry(knowledge: KnowledgeBase, normalise: Normaliser) -> None:
    wrong = []
    for entry in RU:
        for example in entry.examples:
            found = knowledge.match(normalise(example), question=True)
            if found is None or found.id != entry.id:
                wrong.append((entry.id, example, found.id if found else None))
    assert not wrong


@needs_lexicon
def test_held_out_questions_find_the_right_entry(
    knowledge: KnowledgeBase, normalise: Normaliser
) -> None:
    ids = {e.id for e in RU}
    assert all(want in ids or want == "none" for want, _ in HELD_OUT)
    wrong = []
    for want, text in HELD_OUT:
        found = knowledge.match(normalise(text), question=True)
        got = found.id if found else "none"
        if got != want:
            wrong.append((want, text, got))
    right = 1 - len(wrong) / len(HELD_OUT)
    assert right >= MIN_RIGHT, f"{right:.0%} right; wrong: {wrong}"
