"""`nudgebot estimate`: the check-in analysis from a terminal."""

import json
import subprocess
import sys
from typing import Any

from typer.testing import CliRunner

from nudgebot.cli import cli


def _estimate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", "estimate", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _verdict(text: str) -> Any:
    """`nudgebot estimate TEXT --json`, run in this process."""
    # The tests around it run the real `python -m nudgebot`; an interpreter per message here
    # cost two seconds each.
    result = CliRunner().invoke(cli, ["estimate", text, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_lists_foods_total_unrecognised_and_safety() -> None:
    result = _estimate("oatmeal with almonds and a banana, and some zorblax", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["id"] for f in data["foods"]] == ["oatmeal", "almonds", "banana"]
    assert data["foods"][1] == {
        "id": "almonds",
        "name": "almonds",
        "portion": "1 handful (28 g)",
        "quantity": 1,
        "unit": "handful",
        "grams": 28.0,
        "mg": 75.6,  # 270 mg per 100 g
        "source": "USDA SR Legacy: Nuts, almonds",
    }
    assert data["total_mg"] == round(sum(f["mg"] for f in data["foods"]), 1)
    assert all(f["source"].startswith("USDA ") for f in data["foods"])
    assert data["unrecognised"] == ["zorblax"]
    assert data["safety"] is None and data["intent"] == "meal"


def test_json_reports_the_router_verdict() -> None:
    emergency = _verdict("sudden chest pain")
    assert emergency["intent"] == "emergency" and emergency["safety"] == "emergency"
    assert emergency["foods"] == []
    crisis = _verdict("i dont want to be alive anymore")
    assert (crisis["intent"], crisis["safety"]) == ("crisis", "crisis")
    professional = _verdict("spinach and my magnesium tablets")
    assert (professional["intent"], professional["safety"]) == ("meal", "professional")
    assert professional["referrals"] == ["supplement"]
    assert [f["id"] for f in professional["foods"]] == ["spinach_cooked"]
    question = _verdict("is magnesium good for blood pressure?")
    assert (question["intent"], question["safety"]) == ("question", None)
    thanks = _verdict("thank you!")
    assert thanks["intent"] == "chat"
    stop = _verdict("stop sending me tips")
    assert (stop["intent"], stop["command"]) == ("command", "stop")
    other = _verdict("asdfgh")
    assert other["intent"] == "other"


def test_plain_output_is_a_readable_table() -> None:
    result = _estimate("a handful of cashews")
    assert result.returncode == 0
    assert "intent: meal" in result.stdout
    assert "cashews, dry roasted" in result.stdout and "72.8 mg" in result.stdout  # 260 mg/100 g
    assert "USDA SR NDB 12085" in result.stdout  # every figure names its record
