"""Safety first: emergencies, crisis, and what belongs with a doctor or pharmacist.

The rules follow the American Heart Association's warning signs (heart attack, including the
signs more common in women, older people and people with diabetes; stroke, BE FAST; the
hypertensive crisis at 180/120) and read the text after harmless phrases ("chest day", "stroke
of luck") and negated symptoms ("no chest pain") are taken out. They err on the side of caution:
a needless "call your emergency number" costs far less than a missed one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from nudgebot.features.understanding.lexicon import Emergency, Lexicon
from nudgebot.features.understanding.text import DIGIT, Concept, near, stems

# AHA: a reading at or above either figure is a hypertensive crisis.
CRISIS_SYSTOLIC = 180
CRISIS_DIASTOLIC = 120
_READING = re.compile(r"(?<![\d/])(\d{2,3}) ?(?:/|over) ?(\d{2,3})(?![\d/])")


def systolic_pattern(bp_words: list[str]) -> re.Pattern[str]:
    """A lone top number after one of a language's blood-pressure words ("bp 190")."""
    words = "|".join(f"(?:{w})" for w in bp_words)
    return re.compile(rf"\b(?:{words})\b(?:\D{{0,20}}?)\b(\d{{3}})\b(?! ?/)")


class Referral(StrEnum):
    """What a message mentions that deserves a specific word about seeing a professional."""

    SUPPLEMENT = "supplement"
    PPI = "ppi"
    DIURETIC = "diuretic"
    BISPHOSPHONATE = "bisphosphonate"
    ANTIBIOTIC = "antibiotic"
    DIGOXIN = "digoxin"
    WARFARIN = "warfarin"
    HEART_MEDICINE = "heart_medicine"
    KIDNEY = "kidney"
    PREGNANCY = "pregnancy"
    PREGNANCY_PALPITATIONS = "pregnancy_palpitations"
    PALPITATIONS = "palpitations"
    HIGH_READING = "high_reading"
    HEART_CONDITION = "heart_condition"


# Shown in this order, most specific first.
REFERRAL_ORDER = tuple(Referral)


@dataclass(frozen=True, slots=True)
class Reading:
    """A blood-pressure reading found in a message."""

    systolic: int
    diastolic: int | None

    @property
    def crisis_level(self) -> bool:
        """At or above the AHA hypertensive-crisis line."""
        return self.systolic >= CRISIS_SYSTOLIC or (
            self.diastolic is not None and self.diastolic >= CRISIS_DIASTOLIC
        )


def blood_pressure(text: str, systolic_only: re.Pattern[str] | None = None) -> Reading | None:
    """The highest plausible blood-pressure reading in a text ("185/110", "190 over 95").

    `systolic_only` (from `systolic_pattern`) also reads a lone top number ("bp 190"); without
    it only a full reading counts. `Triage.reading` passes the language's own words.
    """
    best: Reading | None = None
    for match in _READING.finditer(text):
        systolic, diastolic = int(match.group(1)), int(match.group(2))
        if 70 <= systolic <= 300 and 30 <= diastolic <= 200 and systolic > diastolic:
            reading = Reading(systolic, diastolic)
            if best is None or reading.crisis_level > best.crisis_level:
                best = reading
    if best is None and systolic_only is not None:
        for match in systolic_only.finditer(text):
            systolic = int(match.group(1))
            if 70 <= systolic <= 300:
                best = Reading(systolic, None)
    return best


# Lists of [emergency] that are not concepts of their own: they build the ones below.
_NOT_CONCEPTS = frozenset(
    {"harmless", "history", "negators", "negatable", "negation_joiners", "negation_articles"}
    | {"bp_words", "primary_sites"}
)


def _negation(e: Emergency) -> str:
    """One pattern for a negated symptom and the ones joined to it: "no chest pain or shortness
    of breath", "нет боли в груди и одышки", "sin mareos ni dolor de pecho" (a "/" joins in every
    language: "no dizziness/chest pain")."""

    def any_of(patterns: list[str]) -> str:
        return "|".join(f"(?:{p})" for p in patterns)

    articles = f"(?:(?:{any_of(e.negation_articles)}) )?"
    symptom = f"{articles}(?:{any_of(e.negatable)})"
    joined = f"(?: (?:{any_of(e.negation_joiners)}) | ?/ ?){symptom}"
    return f"(?:{any_of(e.negators)}) {symptom}(?:{joined})*"


class Triage:
    """The safety rules of one language, compiled once."""

    def __init__(self, lexicon: Lexicon) -> None:
        e = lexicon.emergency

        self._harmless = Concept("harmless", e.harmless + e.history)
        self._negated = Concept("negated", [_negation(e)])
        self._systolic_only = systolic_pattern(e.bp_words)
        # Every other list of the section is a concept the rules below ask about by name.
        self.c = {
            name: Concept(name, getattr(e, name))
            for name in type(e).model_fields
            if name not in _NOT_CONCEPTS
        }
        # Which alternative of `sites` names a place ("jaws?" for "jaw" and "jaws"), and which
        # of them are the places that, with another one, are a warning sign on their own.
        self._site_patterns = [re.compile(site) for site in e.sites]
        self._primary_sites = frozenset(e.sites.index(site) for site in e.primary_sites)
        # Every emergency rule needs one of these: a text with none of their words is not one.
        needed = [
            "heart_attack",
            "stroke_word",
            "chest",
            "chest_feeling",
            "pain",
            "radiating",
            "breath_severe",
            "breathless",
            "collapse",
            "face",
            "speech",
            "limb",
            "vision",
            "balance_severe",
            "balance",
            "confusion",
            "headache_severe",
            "rhythm",
        ]
        gate: set[str] | None = {DIGIT}
        for name in needed:
            anchors = self.c[name].anchors
            gate = None if anchors is None or gate is None else gate | anchors
        self._gate = frozenset(gate) if gate is not None else None
        self._crisis_harmless = Concept("crisis_harmless", lexicon.crisis.harmless)
        crisis = lexicon.crisis
        self._crisis = Concept("crisis", crisis.patterns)
        self._farewell = Concept("farewell", crisis.farewell)
        self._goodbye = Concept("goodbye", crisis.goodbye)
        self._plan = Concept("plan", crisis.plan)
        self._wish = Concept("wish", crisis.wish)
        self._worthless = Concept("worthless", crisis.worthless)
        self._method = Concept("method", crisis.method)
        p = lexicon.professional
        self._referrals = {
            Referral.SUPPLEMENT: Concept("supplement", p.supplement),
            Referral.PPI: Concept("ppi", p.ppi),
            Referral.DIURETIC: Concept("diuretic", p.diuretic),
            Referral.BISPHOSPHONATE: Concept("bisphosphonate", p.bisphosphonate),
            Referral.ANTIBIOTIC: Concept("antibiotic", p.antibiotic),
            Referral.DIGOXIN: Concept("digoxin", p.digoxin),
            Referral.WARFARIN: Concept("warfarin", p.warfarin),
            Referral.HEART_MEDICINE: Concept("heart_medicine", p.heart_medicine),
            Referral.KIDNEY: Concept("kidney", p.kidney),
            Referral.PREGNANCY: Concept("pregnancy", p.pregnancy),
            Referral.HEART_CONDITION: Concept("heart_condition", p.heart_condition),
        }

    def clean(self, text: str) -> str:
        """The text without harmless look-alikes, past events and negated symptoms."""
        return self._negated.remove(self._harmless.remove(text))

    def plain(self, text: str) -> str:
        """The text without anything this language reads as harmless: look-alikes, past events,
        negated symptoms and figures of speech ("me muero de hambre"). Another language's rules
        read this, so that one language's idiom is not another's emergency."""
        return self._crisis_harmless.remove(self.clean(text))

    def emergency(self, cleaned: str) -> str | None:
        """The name of the warning sign found in a text (normalised, then `clean`ed), or None."""
        t = cleaned
        if not t or (self._gate is not None and self._gate.isdisjoint(stems(t))):
            return None
        c = self.c

        seen: dict[str, bool] = {}

        def has(name: str) -> bool:
            if name not in seen:
                seen[name] = c[name](t)
            return seen[name]

        def close(a: str, b: str, words: int = 5) -> bool:
            return near(t, c[a], c[b], words=words)

        exertion = has("exertion") and not has("at_rest")

        def companion() -> bool:
            if has("nausea") or has("lightheaded") or has("doom"):
                return True
            return not exertion and (has("sweat") or has("breathless") or has("tired"))

        # Cheapest and most common first; each check runs only if the ones before it failed.
        checks: tuple[tuple[str, Callable[[], bool]], ...] = (
            ("heart attack", lambda: has("heart_attack")),
            ("stroke", lambda: has("stroke_word")),
            ("chest pain", lambda: close("pain", "chest")),
            ("chest feeling", lambda: has("chest_feeling")),
            (
                "chest with warning signs",
                lambda: has("chest") and (companion() or has("breath_severe")),
            ),
            ("spreading pain", lambda: close("pain", "radiating", 6)),
            (
                "pain in jaw, neck, back or arm with warning signs",
                lambda: close("pain", "sites") and companion(),
            ),
            ("pain in two places", lambda: self._two_sites(t)),
            (
                "stomach pain with warning signs",
                lambda: (
                    not exertion
                    and close("pain", "belly")
                    and (has("sweat") or has("lightheaded") or has("doom"))
                ),
            ),
            ("severe breathlessness", lambda: not exertion and has("breath_severe")),
            ("breathless at rest or suddenly", lambda: has("breathless") and has("at_rest")),
            ("collapse", lambda: has("collapse")),
            ("face drooping", lambda: close("face", "droop", 4)),
            ("speech", lambda: has("speech")),
            (
                "arm or leg weakness",
                lambda: close("limb", "weak", 5) and not (exertion and not has("sudden")),
            ),
            ("vision", lambda: has("vision") or (has("sudden") and has("blurry"))),
            ("balance", lambda: has("balance_severe") or (has("sudden") and has("balance"))),
            ("confusion", lambda: has("confusion") and has("sudden")),
            ("worst headache", lambda: has("headache_severe")),
            (
                "heartbeat with warning signs",
                lambda: (
                    has("rhythm")
                    and (
                        has("lightheaded")
                        or has("collapse")
                        or has("chest")
                        or has("breathless")
                        or has("breath_severe")
                        or has("doom")
                    )
                ),
            ),
        )
        for reason, check in checks:
            if check():
                return reason
        reading = self.reading(t)
        if reading is not None and reading.crisis_level and has("bp_symptom"):
            return "very high blood pressure with symptoms"
        return None

    def reading(self, text: str) -> Reading | None:
        """The blood-pressure reading in a normalised text, a lone top number after one of the
        language's blood-pressure words included ("bp 190", "давление 200")."""
        return blood_pressure(text, self._systolic_only)

    def _site(self, span: str) -> int | None:
        """Which alternative of `sites` a matched place is (its index), so that "arm" and
        "arms", or "рука" and "руку", are one place."""
        return next(
            (i for i, pattern in enumerate(self._site_patterns) if pattern.fullmatch(span)), None
        )

    def _two_sites(self, t: str) -> bool:
        """Pain in a primary site (the jaw, an arm) together with another place it spreads to."""
        sites = self.c["sites"]
        if not near(t, self.c["pain"], sites, words=6):
            return False
        found = {self._site(t[a:b]) for a, b in sites.spans(t)} - {None}
        return not found.isdisjoint(self._primary_sites) and len(found) >= 2

    def crisis(self, text: str) -> bool:
        """True for thoughts of suicide or self-harm, direct or indirect (idioms excluded).

        Indirect wording counts as a combination: a farewell ("this is goodbye", "wrote letters
        to everyone"); or two signs among feeling worthless ("a burden"), a method ("pills", "the
        bridge"), a wish not to be here ("slip away", "once I'm gone"), a plan ("I've decided")
        and softer goodbyes ("sorry for everything", "deleted all my accounts").
        """
        t = self._crisis_harmless.remove(text)
        if not t:
            return False
        if self._crisis(t) or self._farewell(t):
            return True
        goodbyes = min(len(self._goodbye.spans(t)), 2)
        signs = self._worthless(t) + self._method(t) + self._wish(t) + self._plan(t) + goodbyes
        return signs >= 2

    def referrals(self, text: str, cleaned: str | None = None) -> tuple[Referral, ...]:
        """The professional topics a (non-emergency) message mentions, most specific first."""
        found = {topic for topic, concept in self._referrals.items() if concept(text)}
        t = self.clean(text) if cleaned is None else cleaned
        if self.c["rhythm"](t):
            found.add(
                Referral.PREGNANCY_PALPITATIONS
                if Referral.PREGNANCY in found
                else Referral.PALPITATIONS
            )
        if Referral.PREGNANCY_PALPITATIONS in found:
            found.discard(Referral.PREGNANCY)
        reading = self.reading(text)
        if reading is not None and reading.crisis_level:
            found.add(Referral.HIGH_READING)
        if Referral.WARFARIN in found:
            found.discard(Referral.HEART_MEDICINE)  # the warfarin word says more
        return tuple(r for r in REFERRAL_ORDER if r in found)
