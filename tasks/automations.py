"""Prefect automations framecast installs: created once, updated in place by name."""

from __future__ import annotations


def ensure_automation(client, automation) -> str:
    """Create `automation`, or replace the definition of the one with its name (extra copies are deleted)."""
    existing = client.read_automations_by_name(automation.name)
    if existing:
        client.update_automation(existing[0].id, automation)
        for extra in existing[1:]:
            client.delete_automation(extra.id)
        return str(existing[0].id)
    return str(client.create_automation(automation))
