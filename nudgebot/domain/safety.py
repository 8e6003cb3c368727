"""Safety first: spot emergencies and topics that belong with a professional, in any text.

Runs on every incoming text before anything else. It errs on the side of caution: a message that
mentions an emergency symptom gets the emergency reply even when the sentence is unclear, because
a needless "call your emergency number" costs far less than a missed one. Plain food words that
merely look alike ("chest day", "chicken breast", "heart of palm") are not symptoms.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class Safety(Enum):
    EMERGENCY = "emergency"
    PROFESSIONAL = "professional"


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Harmless phrases removed before matching, so they cannot trigger a symptom pattern.
_HARMLESS = _rx(
    r"\bchest (day|workout|press|fly|flies|exercises?|muscles?|of drawers)\b",
    r"\b(chicken|turkey|duck) breasts?\b",
    r"\bhearts? of (palm|artichoke|romaine|celery)\b",
    r"\bartichoke hearts?\b",
    r"\bheart[- ]healthy\b",
    r"\bheart rate (monitor|zone|training)\b",
    r"\bbreath(ing)? (exercises?|work)\b",
    r"\bout of breath (from|after) (laughing|running|the stairs|climbing)\b",
)

_CHEST = _rx(
    r"\bchest\s+(pain|pains|pressure|tightness|tight|hurts?|hurting|ache|aching|discomfort|"
    r"squeez\w*|heaviness|heavy|burning)\b",
    r"\b(pain|pressure|tightness|squeezing|heaviness|discomfort|ache)\s+(in|on|across)\s+"
    r"(my|the)\s+chest\b",
    r"\bheart attack\b",
    r"\b(crushing|squeezing)\b.*\bchest\b",
    r"\bangina\b",
)
_FAINT = _rx(
    r"\bfaint(ed|ing)?\b",
    r"\bpass(ed|ing)? out\b",
    r"\bblack(ed|ing)? out\b",
    r"\bcollaps(ed|ing|e)\b",
    r"\bsyncope\b",
    r"\blost consciousness\b",
    r"\bunconscious\b",
)
_BREATH = _rx(
    r"\b(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|difficulty)\s+"
    r"(breathe|breathing|catch my breath|get (my )?breath)\b",
    r"\bsevere(ly)?\s+(short(ness)? of breath|breathless\w*)\b",
    r"\bgasping\b",
    r"\bshort(ness)? of breath\b.*\b(rest|sitting|lying|sudden\w*|severe|bad|worse)\b",
    r"\b(sudden\w*|severe(ly)?)\b.*\bshort(ness)? of breath\b",
)
_HEART_FAST = _rx(
    r"\bheart\s*(is\s+|was\s+|keeps\s+)?(racing|races|raced|pounding|pounds|fluttering|"
    r"flutters|skipping|"
    r"skips|irregular|beating (fast|irregularly|wildly))\b",
    r"\b(racing|pounding|irregular|fluttering|fast|rapid)\s+(heart\s*beat|heartbeat|pulse|"
    r"heart)\b",
    r"\bpalpitations?\b",
    r"\b(afib|a-fib|atrial fibrillation|arrhythmia)\b",
)
_DIZZY = _rx(
    r"\bdizz(y|iness)\b",
    r"\blight[- ]?headed(ness)?\b",
    r"\bwoozy\b",
    r"\bvertigo\b",
    r"\bspinning\b",
    r"\bfaint\w*\b",
)
_STROKE = _rx(
    r"\bstroke\b(?!\s+(of|the|count|rate|order|play))",
    r"\bface\s+(is\s+)?(droop\w*|drooping|numb|lopsided)\b",
    r"\bdroop\w*\s+(face|mouth|smile|eye)\b",
    r"\bslurr(ed|ing)\s+(speech|words|my words)\b",
    r"\bspeech\s+(is\s+)?slurred\b",
    r"\b(can'?t|cannot|unable to)\s+(lift|raise|move)\s+(my\s+)?(arm|leg)\b",
    r"\bsudden\w*\b.*\b(numb\w*|weak\w*)\b.*\b(one side|face|arm|leg)\b",
    r"\b(numb\w*|weak\w*)\b.*\bone side\b",
    r"\bsudden\w*\b.*\b(confus\w*|vision|blind|severe headache|worst headache)\b",
    r"\bworst headache\b",
)

_SUPPLEMENT = _rx(
    r"\bsupplement\w*\b",
    r"\b(pill|pills|tablet|tablets|capsule|capsules|caps|softgels?|gummies)\b",
    r"\bmagnesium\s+(citrate|glycinate|bisglycinate|oxide|chloride|sulfate|sulphate|"
    r"threonate|malate|taurate|lactate|aspartate|orotate|oil|spray|flakes)\b",
    r"\b(epsom salts?|milk of magnesia|zma)\b",
    r"\b\d+\s*(mg|milligrams?)\s+(of\s+)?magnesium\b",
    r"\bmagnesium\s+\d+\s*(mg|milligrams?)\b",
    r"\b(dose|dosage|how much magnesium should i take)\b",
    r"\bmultivitamins?\b",
)
_CONDITION = _rx(
    r"\bkidneys?\b",
    r"\brenal\b",
    r"\bdialysis\b",
    r"\bpregnan\w*\b",
    r"\bexpecting a baby\b",
    r"\bbreast\s*feed\w*\b",
    r"\b(heart|blood pressure|bp)\s+(medication|medicine|meds|pills|tablets|drugs?)\b",
    r"\b(beta[- ]?blockers?|diuretics?|water pills?|digoxin|warfarin|blood thinners?|"
    r"statins?|ace inhibitors?|amiodarone|metoprolol|bisoprolol|lisinopril|amlodipine|"
    r"furosemide|apixaban|rivaroxaban|clopidogrel)\b",
    r"\bheart (condition|disease|failure|problem|problems)\b",
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return _HARMLESS.sub(" ", text)


def classify(text: str) -> Safety | None:
    """EMERGENCY, PROFESSIONAL, or None for an ordinary message."""
    if not text:
        return None
    clean = _normalise(text[:10_000])
    if _CHEST.search(clean) or _FAINT.search(clean) or _BREATH.search(clean):
        return Safety.EMERGENCY
    if _STROKE.search(clean):
        return Safety.EMERGENCY
    if _HEART_FAST.search(clean) and _DIZZY.search(clean):
        return Safety.EMERGENCY
    if _SUPPLEMENT.search(clean) or _CONDITION.search(clean) or _HEART_FAST.search(clean):
        return Safety.PROFESSIONAL
    return None


def mentions_supplements(text: str) -> bool:
    """True when the text is about supplements, pills or doses."""
    return bool(_SUPPLEMENT.search(_normalise(text[:10_000])))
