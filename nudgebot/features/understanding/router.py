"""The message router: one decision per incoming text, in a fixed order of importance.

1. an emergency (heart attack, stroke, collapse, a crisis-level reading with symptoms);
2. a crisis (thoughts of suicide or self-harm);
3. the answer to a question the person is in the middle of (onboarding, settings, an admin draft);
4. a command said in words ("stop sending me tips", "delete my data");
5. a question (the knowledge base, the person's own target, a food's magnesium, or an honest
   "I can't answer that one");
6. small talk (hello, thanks, ok, bye, kind words);
7. a meal check-in;
8. anything else.

Mentions of supplements, medicines, kidney disease, pregnancy, palpitations or a very high reading
travel with the verdict as referrals, whatever the intent. Pure Python: no Telegram, no database.

One `Router` reads one language. `Routers` holds one per language and routes with the person's
language, and then, when that reading found nothing urgent, also asks every other language's
emergency and crisis rules: someone set to English who writes "me duele el pecho" still gets the
emergency reply (in Spanish: the verdict says which language's words fired). Safety never depends
on the language setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import FoodIndex, MealEstimate, estimate_meal
from nudgebot.features.understanding.knowledge import KnowledgeBase, KnowledgeEntry
from nudgebot.features.understanding.lexicon import Lexicon
from nudgebot.features.understanding.text import Concept, Normaliser
from nudgebot.features.understanding.triage import Referral, Triage


class Intent(StrEnum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    ANSWER = "answer"  # the text answers the open question of a flow
    COMMAND = "command"
    QUESTION = "question"
    CHAT = "chat"
    MEAL = "meal"
    OTHER = "other"


class Safety(StrEnum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    PROFESSIONAL = "professional"


class Command(StrEnum):
    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"
    HELP = "help"
    SETTINGS = "settings"
    FORGET = "forget"
    START = "start"


class ChatKind(StrEnum):
    THANKS = "thanks"
    COMPLIMENT = "compliment"
    BYE = "bye"
    GREETING = "greeting"
    OK = "ok"


class AnswerKind(StrEnum):
    KNOWLEDGE = "knowledge"  # an entry of the knowledge base
    TARGET = "target"  # the person's own daily target
    FOOD_INFO = "food_info"  # "how much magnesium is in a banana": the estimate, not logged
    REFERRAL = "referral"  # only the professional referral fits
    UNANSWERED = "unanswered"


# Emoji that say "ok" or "thanks" on their own.
_POSITIVE_EMOJI = re.compile("[👍👌🙏❤♥💚💙💛🧡💜🤍😊🙂😀😃😄😁☺🥰😍🤗👏✅💪🫶]")
_THANKS_EMOJI = re.compile("[🙏]")


def _any_of(alternatives: Sequence[str]) -> str:
    return "|".join(f"(?:{a})" for a in alternatives)


def _repeated(alternatives: Sequence[str], joiners: Sequence[str]) -> re.Pattern[str]:
    """One or more of the phrases: "stop stop", "i dont want these anymore please stop"."""
    phrase = _any_of(alternatives)
    return re.compile(rf"(?:{phrase})(?: (?:(?:{_any_of(joiners)}) )*(?:{phrase}))*")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a message is, decided once; handlers dispatch on `intent`."""

    intent: Intent
    safety: Safety | None = None
    reason: str | None = None  # the warning sign that made it an emergency
    referrals: tuple[Referral, ...] = ()
    command: Command | None = None
    chat: ChatKind | None = None
    answer: AnswerKind | None = None
    entry: KnowledgeEntry | None = None
    meal: MealEstimate | None = None
    also_crisis: bool = False  # an emergency that also speaks of suicide or self-harm
    # The language whose words made the verdict urgent (reply in it); None when not urgent.
    language: str | None = None

    @property
    def urgent(self) -> bool:
        """An emergency or a crisis: that reply and nothing else."""
        return self.intent in (Intent.EMERGENCY, Intent.CRISIS)

    @property
    def mentions_warfarin(self) -> bool:
        """Warfarin or another blood thinner was named: no vitamin-K-rich suggestions."""
        return Referral.WARFARIN in self.referrals


class Router:
    """Decides what a text is, for one language."""

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        foods: FoodIndex,
        knowledge_entries: Sequence[KnowledgeEntry],
        language: str | None = None,
    ) -> None:
        self.language = language  # set on urgent verdicts
        self.normalise = Normaliser(
            rewrites=lexicon.normalise.rewrites,
            emoji_words=lexicon.normalise.emoji_words,
            vocabulary=lexicon.typos.vocabulary,
            real_words=lexicon.typos.real_words,
        )
        self.triage = Triage(lexicon)
        self.knowledge = KnowledgeBase(
            knowledge_entries, self.normalise, ordinary_words=foods.ordinary
        )
        self.foods = foods
        cmd = lexicon.commands
        polite = _any_of(cmd.polite)
        self._polite_edges = re.compile(rf"^(?:(?:{polite}) )+|(?: (?:{polite}))+$")
        # Pause before stop: "stop the tips for a week" is a pause.
        self._commands = [
            (command, _repeated(alternatives, cmd.joiners))
            for command, alternatives in (
                (Command.PAUSE, cmd.pause),
                (Command.STOP, cmd.stop),
                (Command.RESUME, cmd.resume),
                (Command.SETTINGS, cmd.settings),
                (Command.FORGET, cmd.forget),
                (Command.HELP, cmd.help),
                (Command.START, cmd.start),
            )
        ]
        chat = lexicon.chat
        kinds = [
            (ChatKind.THANKS, chat.thanks),
            (ChatKind.COMPLIMENT, chat.compliment),
            (ChatKind.BYE, chat.bye),
            (ChatKind.GREETING, chat.greeting),
            (ChatKind.OK, chat.ok),
        ]
        self._chat_kinds = [(kind, Concept(kind.value, alts)) for kind, alts in kinds]
        every = "|".join(f"(?:{a})" for _, alts in kinds for a in alts)
        self._chat_only = re.compile(rf"(?:\b(?:{every})\b ?)+")
        questions = lexicon.questions
        self._leading_filler = re.compile(rf"^(?:(?:{_any_of(questions.fillers)})\b ?)+")
        self._opener = re.compile(rf"^(?:{_any_of(questions.openers)})\b")
        self._question_marker = Concept("markers", lexicon.questions.markers)
        self._meal_cue = Concept("meal_cues", lexicon.questions.meal_cues)
        self._food_word = Concept("food_words", lexicon.questions.food_words)
        self._food_emoji = frozenset(lexicon.questions.food_emoji)

    def route(
        self,
        text: str | None,
        *,
        awaiting_answer: bool = False,
        remembered: Mapping[str, Food] | None = None,
    ) -> Verdict:
        """The verdict for one incoming text (never raises for any string).

        `remembered`: the person's earlier answers to "did you mean" (phrase -> food).
        """
        raw = (text or "").strip()
        t = self.normalise(raw)
        if not t:
            return self._no_words(raw, awaiting_answer=awaiting_answer, remembered=remembered)
        cleaned = self.triage.clean(t)
        urgent = self.urgency(t, cleaned)
        if urgent is not None:
            return urgent
        if awaiting_answer:
            return Verdict(Intent.ANSWER)
        referrals = self.triage.referrals(t, cleaned)
        safety = Safety.PROFESSIONAL if referrals else None
        command = self._command(t)
        if command is not None:
            return Verdict(Intent.COMMAND, safety, referrals=referrals, command=command)
        chat = self._chat(t)
        if chat is not None and not referrals:
            return Verdict(Intent.CHAT, chat=chat)
        if self._is_question(raw, t):
            return self._question(raw, t, referrals, safety, remembered)
        meal = self._meal(raw, referrals, question=False, remembered=remembered)
        if meal.items or self._about_eating(raw, t) or self._food_word(t):
            return Verdict(Intent.MEAL, safety, referrals=referrals, meal=meal)
        return self._answered(t, referrals, safety, question=False) or Verdict(Intent.OTHER)

    def urgency(self, t: str, cleaned: str | None = None) -> Verdict | None:
        """The emergency or crisis verdict for a normalised text, or None.

        `cleaned`: the text after `triage.clean`, when the caller has it already.
        """
        reason = self.triage.emergency(self.triage.clean(t) if cleaned is None else cleaned)
        crisis = self.triage.crisis(t)
        if reason is not None:
            return Verdict(
                Intent.EMERGENCY,
                Safety.EMERGENCY,
                reason,
                also_crisis=crisis,
                language=self.language,
            )
        if crisis:
            return Verdict(Intent.CRISIS, Safety.CRISIS, "crisis", language=self.language)
        return None

    def _no_words(
        self, raw: str, *, awaiting_answer: bool, remembered: Mapping[str, Food] | None
    ) -> Verdict:
        """Emoji only, punctuation only, or nothing at all.

        Food emoji are a meal in every language ("🍌🥛" like "banana and milk"): the meal parser
        reads them as the foods they show.
        """
        if any(ch in self._food_emoji for ch in raw):
            if awaiting_answer:
                return Verdict(Intent.ANSWER)
            return Verdict(
                Intent.MEAL, meal=self._meal(raw, (), question=False, remembered=remembered)
            )
        if _THANKS_EMOJI.search(raw):
            return Verdict(Intent.CHAT, chat=ChatKind.THANKS)
        if _POSITIVE_EMOJI.search(raw):
            return Verdict(Intent.CHAT, chat=ChatKind.OK)
        return Verdict(Intent.OTHER)

    def _command(self, t: str) -> Command | None:
        core = t
        for _ in range(2):  # "ok please stop thanks": polite words at both ends
            core = self._polite_edges.sub("", core).strip()
        if not core or len(core) > 100:
            return None
        return next((cmd for cmd, phrase in self._commands if phrase.fullmatch(core)), None)

    def _chat(self, t: str) -> ChatKind | None:
        if len(t) > 80 or not self._chat_only.fullmatch(t + " "):
            return None
        return next((kind for kind, concept in self._chat_kinds if concept(t)), None)

    def _is_question(self, raw: str, t: str) -> bool:
        return (
            "?" in raw
            or "¿" in raw
            or bool(self._opener.match(self._leading_filler.sub("", t)))
            or self._question_marker(t)
        )

    def _about_eating(self, raw: str, t: str) -> bool:
        """Words or emoji of eating, even when no food in the message is known."""
        return self._meal_cue(t) or any(ch in self._food_emoji for ch in raw)

    def _question(
        self,
        raw: str,
        t: str,
        referrals: tuple[Referral, ...],
        safety: Safety | None,
        remembered: Mapping[str, Food] | None,
    ) -> Verdict:
        meal: MealEstimate | None = None
        if referrals:
            meal = self._meal(raw, referrals, question=True, remembered=remembered)
            if meal.items:
                # "i take warfarin, is spinach ok": the referral, then the spinach is logged
                return Verdict(Intent.MEAL, safety, referrals=referrals, meal=meal)
        answered = self._answered(t, referrals, safety, question=True)
        if answered is not None:
            return answered
        meal = self._meal(raw, referrals, question=True, remembered=remembered)
        if meal.items and not self._about_eating(raw, t):
            return Verdict(Intent.QUESTION, answer=AnswerKind.FOOD_INFO, meal=meal)
        if meal.items:
            return Verdict(Intent.MEAL, meal=meal)
        return Verdict(Intent.QUESTION, answer=AnswerKind.UNANSWERED)

    def _answered(
        self, t: str, referrals: tuple[Referral, ...], safety: Safety | None, *, question: bool
    ) -> Verdict | None:
        """A knowledge-base answer, else the referral alone, else None."""
        entry = self.knowledge.match(t, question=question)
        if entry is not None:
            return self._knowledge(entry, referrals, safety)
        if referrals:
            return Verdict(Intent.QUESTION, safety, referrals=referrals, answer=AnswerKind.REFERRAL)
        return None

    @staticmethod
    def _knowledge(
        entry: KnowledgeEntry, referrals: tuple[Referral, ...], safety: Safety | None
    ) -> Verdict:
        kind = AnswerKind.TARGET if entry.personal == "target" else AnswerKind.KNOWLEDGE
        return Verdict(Intent.QUESTION, safety, referrals=referrals, answer=kind, entry=entry)

    def _meal(
        self,
        raw: str,
        referrals: tuple[Referral, ...],
        *,
        question: bool,
        remembered: Mapping[str, Food] | None,
    ) -> MealEstimate:
        """The meal estimate, without the words that were about medicines or the question."""
        meal = estimate_meal(raw, self.foods, remembered=remembered)
        if not meal.unknown:
            return meal
        if question:
            return MealEstimate(meal.items)
        if not referrals:
            return meal
        return meal.without_unknown(
            part for part in meal.unknown if self.triage.referrals(self.normalise(part))
        )


DEFAULT_LANGUAGE = "en"


class Routers:
    """One router per language, and the safety net across them."""

    def __init__(self, routers: Mapping[str, Router], *, default: str = DEFAULT_LANGUAGE) -> None:
        if default not in routers:
            raise ValueError(f"no router for the default language {default!r}")
        self.routers = dict(routers)
        self.default = default

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages read, the default first."""
        return (self.default, *(code for code in self.routers if code != self.default))

    def __getitem__(self, language: str) -> Router:
        """The router of a language (the default one for a language without its own)."""
        return self.routers.get(language, self.routers[self.default])

    def route(
        self,
        text: str | None,
        *,
        language: str,
        awaiting_answer: bool = False,
        remembered: Mapping[str, Food] | None = None,
    ) -> Verdict:
        """The verdict for a text from a person who reads `language` (never raises).

        The person's language decides what the text is. Then the other languages' emergency
        and crisis rules read it too, on the text as the person's language cleaned it (its
        harmless phrases, figures of speech and negated symptoms out, so "me muero de hambre"
        stays a figure of speech for a Spanish reader whatever the English lists say): an
        emergency in any language wins, then a crisis. `language` on an urgent verdict names
        the language whose words fired.
        """
        code = language if language in self.routers else self.default
        own = self.routers[code]
        verdict = own.route(text, awaiting_answer=awaiting_answer, remembered=remembered)
        if verdict.urgent:
            verdict = replace(verdict, language=code)
        if verdict.intent is Intent.EMERGENCY and verdict.also_crisis:
            return verdict
        raw = (text or "").strip()
        if not raw:
            return verdict
        # Each other language reads the text its own way (its rewrites and typo fixes), less what
        # the person's language reads as harmless ("me muero de hambre", "mi tía": an aunt).
        readings = [
            (other, router, own.triage.plain(router.normalise(raw)))
            for other, router in self.routers.items()
            if other != code
        ]
        readings = [(other, router, t) for other, router, t in readings if t]
        if verdict.intent is Intent.EMERGENCY:  # without a crisis in the person's language
            if any(router.triage.crisis(t) for _, router, t in readings):
                return replace(verdict, also_crisis=True)
            return verdict
        crisis_in: str | None = None
        for other, router, t in readings:
            found = router.urgency(t)
            if found is not None and found.intent is Intent.EMERGENCY:
                also = found.also_crisis or verdict.intent is Intent.CRISIS
                return replace(found, language=other, also_crisis=also)
            if found is not None and crisis_in is None:
                crisis_in = other
        if crisis_in is not None and not verdict.urgent:
            return Verdict(Intent.CRISIS, Safety.CRISIS, "crisis", language=crisis_in)
        return verdict


class LanguageContent(Protocol):
    """What a router needs of one language's messages/<lang>/: `nudgebot.content.Content` has it."""

    @property
    def lexicon(self) -> Lexicon: ...

    @property
    def knowledge(self) -> Sequence[KnowledgeEntry]: ...


def build_router(content: LanguageContent, foods: FoodIndex, language: str | None = None) -> Router:
    """The router for the loaded messages/ (lexicon, knowledge base) and food table."""
    return Router(
        content.lexicon, foods=foods, knowledge_entries=content.knowledge, language=language
    )


def build_routers(
    contents: Mapping[str, LanguageContent], foods: Mapping[str, FoodIndex]
) -> Routers:
    """A router per language: its messages/<lang>/ (lexicon, knowledge base) and food index."""
    return Routers(
        {
            language: build_router(content, foods[language], language)
            for language, content in contents.items()
        }
    )
