"""Alerts without a server: the notification block chosen per URL kind, a bad --notify refused before anything
changes (and never shown), errors scrubbed before they become a run's state message, the stage label."""

from __future__ import annotations

import pytest
from prefect.blocks.notifications import CustomWebhookNotificationBlock, SlackWebhook

from flows.cli import main
from framecast.core.errors import ConfigError, FramecastError
from framecast.transport import redaction
from tasks import alerts


def test_the_block_follows_the_url_kind_and_keeps_a_plain_webhook_url_as_a_secret():
    hook = alerts.notification_block("https://chat.example.com/hooks/abc123token")
    assert isinstance(hook, CustomWebhookNotificationBlock) and hook.url == "{{url}}"
    assert hook.secrets.get_secret_value() == {"url": "https://chat.example.com/hooks/abc123token"}
    assert hook._build_request_args("body", "subject")["json"] == {"text": "subject\nbody"}  # Slack-compatible
    assert isinstance(alerts.notification_block("https://hooks.slack.com/services/T000/B000/XXXX"), SlackWebhook)
    # Email and any other Apprise URL: Prefect's Slack block hands a URL that is not Slack's to Apprise as it is.
    mail = alerts.notification_block("mailtos://ops:pa55word@smtp.example.com?to=ops@example.com")
    assert isinstance(mail, SlackWebhook) and len(mail._apprise_client) == 1


def test_a_bad_notify_value_is_one_line_exit_2_before_the_server_is_asked_and_never_shown(capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tests.operations.conftest import free_port

    with pytest.raises(ConfigError, match="--notify: expected an http"):
        alerts.check_notify("s3cret-not-a-url")
    alerts.check_notify(None), alerts.check_notify("none")  # keep / remove: nothing to check
    # No server listens there: the value is refused first, so the message is about --notify, not the server.
    with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{free_port()}/api"}):
        code = main(["prefect-setup", "--notify", "s3cret-not-a-url"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --notify: expected an http") and len(err.strip().splitlines()) == 1
    assert "s3cret" not in err


def test_an_error_leaving_the_flow_has_no_secret_and_keeps_its_type():
    secret = "sk-unit-alerts-0123456789abcdef"
    redaction.register([secret])

    @alerts.scrubbed_errors
    def run(exc):
        raise exc

    with pytest.raises(ConfigError) as info:
        run(ConfigError(f"publish_date: {secret!r} is not a date"))
    assert str(info.value) == "publish_date: '***' is not a date"

    class Computed(Exception):  # a message not made from args (e.g. pydantic's): replaced by a FramecastError
        def __str__(self):
            return f"bad key {secret}"

    with pytest.raises(FramecastError, match=r"^bad key \*\*\*$"):
        run(Computed())
    plain = ValueError("nothing secret")
    with pytest.raises(ValueError) as info:
        run(plain)
    assert info.value is plain


def test_the_stage_label_lists_the_stages_in_progress(monkeypatch):
    shown = []
    monkeypatch.setattr(alerts, "mark_stage", shown.append)
    stages = alerts.OpenStages()
    for name, total in (("images", 2), ("narration", 2), ("motion", 2)):
        stages.begin(name, total)
    for name in ("narration", "narration", "images", "images", "motion", "motion"):
        stages.step(name)
    stages.begin("publish", 1), stages.step("publish")
    assert shown == [
        "images",
        "images, narration",
        "images, narration, motion",
        "images, motion",
        "motion",
        "finished",
        "publish",
        "finished",
    ]


def test_one_automation_per_channel_on_failed_or_crashed_runs_of_that_channel_only():
    from uuid import uuid4

    automation = alerts.alert_automation("kids-science", uuid4(), "http://prefect.example:4200/")
    trigger = automation.trigger
    assert automation.name == "framecast: alert on channel kids-science"
    assert trigger.match.root["prefect.state-type"] == ["FAILED", "CRASHED"]
    assert trigger.match_related.root["prefect.resource.id"] == "prefect.tag.channel:kids-science"
    body = automation.actions[0].body
    assert "'http://prefect.example:4200/runs/flow-run/' ~ flow_run.id" in body and "flow_run|ui_url" in body


def test_a_second_automation_per_channel_sends_the_pre_flight_warnings_of_its_runs(monkeypatch):
    from datetime import date
    from uuid import uuid4

    import prefect.events

    from tasks import warning_alerts

    automation = warning_alerts.warning_automation("kids-science", uuid4(), "http://prefect.example:4200/")
    assert automation.name == "framecast: retirement warning on channel kids-science"
    assert automation.trigger.expect == {"framecast.preflight.warning"}
    assert automation.trigger.match_related.root["prefect.resource.id"] == "prefect.tag.channel:kids-science"
    assert "event.payload.warnings" in automation.actions[0].body
    sent = []
    monkeypatch.setattr(prefect.events, "emit_event", lambda **kw: sent.append(kw))
    warning_alerts.emit_warnings("kids-science", date(2026, 12, 8), [])  # no warning: no event
    warning_alerts.emit_warnings("kids-science", date(2026, 12, 8), ["warning: script.model: gpt-5 shuts down"])
    assert [(e["event"], e["payload"]) for e in sent] == [
        (
            "framecast.preflight.warning",
            {"channel": "kids-science", "day": "2026-12-08", "warnings": ["warning: script.model: gpt-5 shuts down"]},
        )
    ]
    assert sent[0]["related"] == [
        {"prefect.resource.id": "prefect.tag.channel:kids-science", "prefect.resource.role": "tag"}
    ]


def test_prefect_setup_says_what_became_of_the_alerts_without_the_url():
    assert alerts.describe(
        {"block": "framecast-alerts (slack-webhook)", "channels": ["a", "b"], "removed_automations": 1}
    ) == (
        "alerts: block framecast-alerts (slack-webhook) → per channel (a, b): Failed, Crashed and gate-refused runs, "
        "and pre-flight warnings (a model retiring soon); 1 of channels gone removed"
    )
    assert alerts.describe({"block": None, "channels": [], "kept": []}).startswith("alerts: none")
    assert (
        alerts.describe({"block": None, "removed_automations": 2, "removed_block": True, "channels": []})
        == "alerts: removed (2 automation(s) and the notification block)"
    )
