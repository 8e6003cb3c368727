"""The router's replies in words: emergency, crisis, referrals, answers, small talk, pointers.

Pure functions from a verdict (and, where it matters, the subscriber's profile) to text; all
wording comes from messages/<lang>/replies.toml.
"""

from __future__ import annotations

from nudgebot.content import Replies
from nudgebot.features.meals.parser import MealEstimate
from nudgebot.features.meals.targets import daily_target
from nudgebot.features.understanding.router import AnswerKind, ChatKind, Safety, Verdict
from nudgebot.features.understanding.triage import Referral

# At most this many referral texts in one reply: the most specific ones (triage.REFERRAL_ORDER).
MAX_REFERRALS = 3


def urgent_text(r: Replies, verdict: Verdict) -> str:
    """The emergency reply (with the crisis lines too when both apply), or the crisis reply."""
    if verdict.safety is Safety.EMERGENCY:
        if verdict.also_crisis:
            return f"{r.safety.emergency}\n\n{r.safety.crisis}"
        return r.safety.emergency
    return r.safety.crisis


def referral_text(r: Replies, referrals: tuple[Referral, ...]) -> str:
    """The referral texts for what a message mentioned, most specific first."""
    return "\n\n".join(r.referral.text(ref.value) for ref in referrals[:MAX_REFERRALS])


def chat_text(r: Replies, kind: ChatKind, *, set_up: bool) -> str:
    """One warm line; for someone not set up yet, how to start."""
    line = str(getattr(r.chat, kind.value))
    return line if set_up else f"{line}\n\n{r.chat.set_up_hint}"


def target_text(
    r: Replies, *, age_band: str | None, sex: str | None, life_stage: str | None, set_up: bool
) -> str:
    """The person's own target, and how it was set."""
    target = daily_target(age_band, sex, life_stage)
    if not set_up:
        general = daily_target(None, None, None)
        return r.answers.target_general.format(low=general.low, high=general.high)
    if target.is_range:
        return r.answers.target_range.format(low=target.low, high=target.high)
    labels = r.labels
    parts = [labels.age_bands.get(age_band or "", ""), labels.sexes.get(sex or "", "")]
    if life_stage in ("pregnant", "breastfeeding"):
        parts.append(labels.life_stages[life_stage])
    profile = " · ".join(p for p in parts if p)
    return r.answers.target_single.format(target=target.low, profile=profile)


def food_info_text(r: Replies, meal: MealEstimate) -> str:
    """ "How much magnesium is in a banana?": the estimate per food, not logged."""
    lines = [r.answers.food_info_header]
    lines.extend(
        r.answers.food_info_item.format(
            name=item.food.name, portion=item.portion_text, mg=f"{item.mg:.0f}"
        )
        for item in meal.items
    )
    lines.append("")
    lines.append(r.answers.food_info_footer)
    return "\n".join(lines)


def answer_text(
    r: Replies,
    verdict: Verdict,
    *,
    age_band: str | None = None,
    sex: str | None = None,
    life_stage: str | None = None,
    set_up: bool = False,
) -> str:
    """The whole reply to a question: referrals first, then the answer itself."""
    parts: list[str] = []
    if verdict.referrals:
        parts.append(referral_text(r, verdict.referrals))
    entry = verdict.entry
    if verdict.answer is AnswerKind.TARGET:
        parts.append(
            target_text(r, age_band=age_band, sex=sex, life_stage=life_stage, set_up=set_up)
        )
    elif verdict.answer is AnswerKind.KNOWLEDGE and entry is not None:
        # A supplement question already has the supplement referral: no second answer on top.
        if not (entry.topic == "supplements" and Referral.SUPPLEMENT in verdict.referrals):
            parts.append(r.answers.knowledge.format(answer=entry.answer, source=entry.source))
    elif verdict.answer is AnswerKind.FOOD_INFO and verdict.meal is not None:
        parts.append(food_info_text(r, verdict.meal))
    elif verdict.answer is AnswerKind.UNANSWERED or not parts:
        parts.append(r.answers.unanswered)
    return "\n\n".join(parts)
