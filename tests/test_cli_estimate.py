"""`nudgebot estimate`: the check-in analysis from a terminal."""

import json
import subprocess
import sys


def _estimate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", "estimate", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_lists_foods_total_unrecognised_and_safety() -> None:
    result = _estimate("oatmeal with almonds and a banana, and some zorblax", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["id"] for f in data["foods"]] == ["oatmeal", "almonds", "banana"]
    assert data["foods"][1] == {
        "id": "almonds",
        "name": "almonds, dry roasted",
        "portion": "1 handful (28 g)",
        "quantity": 1,
        "unit": "handful",
        "grams": 28.0,
        "mg": 80.0,
    }
    assert data["total_mg"] == 175.0
    assert data["unrecognised"] == ["zorblax"]
    assert data["safety"] is None


def test_json_reports_the_safety_category() -> None:
    emergency = json.loads(_estimate("sudden chest pain", "--json").stdout)
    assert emergency["safety"] == "emergency" and emergency["foods"] == []
    professional = json.loads(_estimate("spinach and my magnesium tablets", "--json").stdout)
    assert professional["safety"] == "professional"
    assert [f["id"] for f in professional["foods"]] == ["spinach_cooked"]


def test_plain_output_is_a_readable_table() -> None:
    result = _estimate("a handful of cashews")
    assert result.returncode == 0
    assert "cashews, dry roasted" in result.stdout and "74.0 mg" in result.stdout
