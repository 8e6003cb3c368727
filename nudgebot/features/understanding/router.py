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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nudgebot.content import Content
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
_LEADING_FILLER = re.compile(
    r"^(?:(?:hi|hey|hello|ok|okay|so|and|but|btw|also|um+|uh+|well|quick question|question|"
    r"sorry|excuse me|bot|nudgebot|one more thing|another question|just wondering|yo|please|"
    r"pls|hmm+|doc|doctor|dear|sir|madam|maam|bro|mate)\b ?)+"
)


_JOINERS = "(?:please|and|so|just|now|ok|okay|thanks|then|i said|seriously)"


def _repeated(alternatives: list[str]) -> re.Pattern[str]:
    """One or more of the phrases: "stop stop", "i dont want these anymore please stop"."""
    phrase = "|".join(f"(?:{a})" for a in alternatives)
    return re.compile(rf"(?:{phrase})(?: (?:{_JOINERS} )*(?:{phrase}))*")


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
    ) -> None:
        self.normalise = Normaliser(
            rewrites=lexicon.normalise.rewrites,
            emoji_words=lexicon.normalise.emoji_words,
            vocabulary=lexicon.typos.vocabulary,
            real_words=lexicon.typos.real_words,
        )
        self.triage = Triage(lexicon)
        self.knowledge = KnowledgeBase(knowledge_entries, self.normalise)
        self.foods = foods
        cmd = lexicon.commands
        polite = "|".join(f"(?:{p})" for p in cmd.polite)
        self._polite_edges = re.compile(rf"^(?:(?:{polite}) )+|(?: (?:{polite}))+$")
        # Pause before stop: "stop the tips for a week" is a pause.
        self._commands = [
            (command, _repeated(alternatives))
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
        openers = "|".join(f"(?:{o})" for o in lexicon.questions.openers)
        self._opener = re.compile(rf"^(?:{openers})\b")
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
            return self._no_words(raw)
        cleaned = self.triage.clean(t)
        reason = self.triage.emergency(cleaned)
        crisis = self.triage.crisis(t)
        if reason is not None:
            return Verdict(Intent.EMERGENCY, Safety.EMERGENCY, reason, also_crisis=crisis)
        if crisis:
            return Verdict(Intent.CRISIS, Safety.CRISIS, "crisis")
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

    def _no_words(self, raw: str) -> Verdict:
        """Emoji only, punctuation only, or nothing at all."""
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
            or bool(self._opener.match(_LEADING_FILLER.sub("", t)))
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


def build_router(content: Content, foods: FoodIndex) -> Router:
    """The router for the loaded messages/ (lexicon, knowledge base) and food table."""
    return Router(content.lexicon, foods=foods, knowledge_entries=content.knowledge)
