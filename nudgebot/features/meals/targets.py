"""Daily magnesium targets: the NIH Recommended Dietary Allowances (RDA), in mg per day.

Source: NIH Office of Dietary Supplements, Magnesium fact sheet for health professionals, Table 1.
"""

from __future__ import annotations

from dataclasses import dataclass

# age band -> (male, female, pregnancy, lactation)
RDA: dict[str, tuple[int, int, int, int]] = {
    "14-18": (410, 360, 400, 360),
    "19-30": (400, 310, 350, 310),
    "31-50": (420, 320, 360, 320),
    "51+": (420, 320, 320, 320),  # pregnancy and lactation are not listed past 50
}
ADULT_BANDS = ("19-30", "31-50", "51+")


@dataclass(frozen=True, slots=True)
class Target:
    """A daily target: one figure when the profile pins it down, else a range."""

    low: int
    high: int

    @property
    def is_range(self) -> bool:
        """True when the profile was incomplete and a range applies."""
        return self.low != self.high

    def percent(self, total_mg: float) -> tuple[int, int]:
        """Share of the target reached, as (against high, against low) whole percentages."""
        return round(100 * total_mg / self.high), round(100 * total_mg / self.low)


def daily_target(age_band: str | None, sex: str | None, life_stage: str | None) -> Target:
    """The RDA for a profile; unknown parts widen it to the range they could mean."""
    bands = [age_band] if age_band in RDA else list(ADULT_BANDS)
    figures: list[int] = []
    for band in bands:
        male, female, pregnant, lactating = RDA[band]
        if life_stage == "pregnant" and sex != "male":
            figures.append(pregnant)
        elif life_stage == "breastfeeding" and sex != "male":
            figures.append(lactating)
        elif sex == "male":
            figures.append(male)
        elif sex == "female":
            figures.append(female)
        else:
            figures.extend((male, female))
    return Target(min(figures), max(figures))
