"""`framecast models`: every known model with its roles, price and status on a day, as text and JSON (exit 0)."""

import json
from datetime import date

from flows.cli import main
from framecast.commands import models
from framecast.providers import registry


def by_model(day: date) -> dict[tuple[str, str], dict]:
    return {(r["provider"], r["model"]): r for r in models.rows(day)}


def test_every_known_model_of_every_vendor_is_listed_once():
    rows = models.rows(date(2026, 12, 8))
    expected = {(s.name, m.id) for s in registry.all_specs() for m in s.models}
    assert {(r["provider"], r["model"]) for r in rows} == expected and len(rows) == len(expected)


def test_statuses_on_given_days():
    before, today, after = by_model(date(2026, 12, 1)), by_model(date(2026, 12, 8)), by_model(date(2027, 1, 6))
    assert today[("openai", "gpt-5")]["text"] == "retiring on 2026-12-11 (in 3 days)"
    assert today[("openai", "gpt-5")]["warned"] and today[("openai", "gpt-5")]["successor"] == "gpt-6.1-sol"
    assert after[("openai", "gpt-5")]["text"] == "retired on 2026-12-11"
    assert after[("openai", "tts-1")]["status"] == "retired" and today[("openai", "tts-1")]["days_left"] == 29
    assert before[("openai", "gpt-image-1.5")]["status"] == "retired"  # on the day itself
    assert today[("openai", "gpt-4o")]["warned"] is False  # 37 days left: listed as retiring, no warning yet
    assert today[("anthropic", "claude-opus-4-5")]["text"] == "retiring on 2027-01-22 (in 45 days)"
    assert (
        today[("openai", "gpt-6.2-sol")]["status"] == "current" and today[("openai", "gpt-6.2-sol")]["shutdown"] is None
    )
    assert "2026-08-26" in today[("openai", "whisper-1")]["source"]


def test_prices_are_the_models_or_the_vendors_list_price_with_the_unit():
    today = by_model(date(2026, 12, 8))
    sol, gpt5 = today[("openai", "gpt-6.2-sol")], today[("openai", "gpt-5")]
    assert (sol["price"], sol["unit"], sol["price_from"]) == (0.0072 / 1000, "token", "model")
    assert (gpt5["price_from"], gpt5["unit"]) == ("vendor", "token")
    assert models.shown_price(sol) == "$7.20/1M tokens"
    assert models.shown_price(today[("kling", "kling-v2-1")]) == "$0.056/second (vendor list)"


def test_the_cli_prints_the_table_and_the_json(capsys):
    assert main(["models", "--date", "2027-01-06"]) == 0
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if x.split()[:2] == ["openai", "tts-1"])
    assert "retired on 2027-01-06 (OpenAI deprecations page" in line and "$0.015/1K characters" in line
    assert main(["models", "--json", "--date", "2026-12-08"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2026-12-08" and data["warn_days"] == 30
    row = next(r for r in data["models"] if r["model"] == "gpt-audio-mini")
    assert row == {
        "provider": "openai",
        "model": "gpt-audio-mini",
        "roles": ["voice"],
        "default_for": [],
        "price": row["price"],
        "unit": "character",
        "price_from": "vendor",
        "status": "retiring",
        "shutdown": "2027-01-20",
        "days_left": 43,
        "warned": False,
        "text": "retiring on 2027-01-20 (in 43 days)",
        "source": row["source"],
        "successor": None,
        "note": row["note"],
    }
