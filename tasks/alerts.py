"""Alerts: one Prefect automation per channel that sends a message through a notification block when a run of
that channel ends Failed (a gate rejection included) or Crashed, and one that sends a run's pre-flight warnings
(a model retiring within 30 days of the run's day: tasks/warning_alerts.py).

`framecast prefect-setup --notify URL` saves the block (the URL is a secret: it stays in the block) and the
automations; `--notify none` removes them; without `--notify` a saved block is kept and the automations follow
the channels (a new channel gets its own). The message is rendered by the server from the run (Prefect's Jinja
templates): channel, run name, state, stage, error (the state message) and the run's link in the UI.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from urllib.parse import urlsplit
from uuid import UUID

from framecast.core.errors import ConfigError, FramecastError
from framecast.transport import redaction

BLOCK = "framecast-alerts"
AUTOMATION_PREFIX = "framecast: alert on channel "
STAGE_LABEL = "framecast.stage"  # a flow-run label: the stages in progress, so a crash says where it stopped
SLACK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")
# Block types the alerts block may be saved as (one at a time; switching URL kinds deletes the other).
BLOCK_TYPES = ("custom-webhook", "slack-webhook")
BEFORE_STAGES = "start (inputs, pre-flight, lock, topic or script)"
SUBJECT = "framecast: {{ flow_run.state.name }} run on channel %s"
BODY = """framecast: a run of channel %(channel)s ended {{ flow_run.state.name }}
run: {{ flow_run.name }}
stage: {%% if 'QualityGateFailed' in (flow_run.state.message or '') %%}quality gate (the video was refused and kept, \
not published){%% else %%}{{ (flow_run.labels or {}).get('%(label)s') or '%(before)s' }}{%% endif %%}
error: {{ (flow_run.state.message or 'no message')|replace('Flow run encountered an exception: ', '')|truncate(800) }}
link: {{ flow_run|ui_url or ('%(ui)s/runs/flow-run/' ~ flow_run.id) }}"""


def automation_name(channel: str) -> str:
    return f"{AUTOMATION_PREFIX}{channel}"


def notification_block(url: str):
    """The Prefect notification block for `url`, chosen by its kind.

    hooks.slack.com → Prefect's Slack Webhook (Apprise's Slack plugin); any other http(s) URL → Prefect's Custom
    Webhook posting Slack-compatible JSON `{"text": ...}` (Mattermost, Rocket.Chat, Google Chat, a relay of yours),
    the URL kept in the block's secrets; any other Apprise URL (mailto://, mailtos://, discord://, tgram://, …) →
    the Slack Webhook block, which hands a URL that is not Slack's to Apprise as it is.
    """
    from prefect.blocks.notifications import CustomWebhookNotificationBlock, SlackWebhook

    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        if parts.hostname in SLACK_HOSTS:
            return SlackWebhook(url=url, notify_type="failure")
        return CustomWebhookNotificationBlock(
            name=BLOCK, url="{{url}}", secrets={"url": url}, json_data={"text": "{{subject}}\n{{body}}"}
        )
    import apprise

    if parts.scheme and apprise.Apprise().add(url):
        return SlackWebhook(url=url, notify_type="failure")
    # Never the value itself: it may hold a token or a password.
    raise ConfigError(
        "--notify: expected an http(s) webhook URL, an Apprise URL (e.g. mailto://user:password@"
        "smtp.example.com?to=ops@example.com) or `none` (the value given is not shown: it may hold "
        "a secret)"
    )


def check_notify(notify: str | None) -> None:
    """Refuse a --notify value that is not a URL we can send to, before anything on the server changes."""
    if notify is not None and notify.strip().lower() != "none":
        notification_block(notify.strip())


def saved_block(client) -> tuple[str, UUID] | None:
    """(block type slug, id) of the saved alerts block, if any."""
    from prefect.exceptions import ObjectNotFound

    for slug in BLOCK_TYPES:
        try:
            return slug, client.read_block_document_by_name(BLOCK, slug, include_secrets=False).id
        except ObjectNotFound:
            continue
    return None


def save_block(client, url: str) -> tuple[str, UUID]:
    """Save the block for `url` as `framecast-alerts` (replacing one of another kind); never shows the URL."""
    redaction.register([url, *(s for s in [urlsplit(url).password] if s)])
    block = notification_block(url)
    slug = block.get_block_type_slug()
    try:
        block_id = block.save(BLOCK, overwrite=True)
    except Exception as exc:  # noqa: BLE001 — a server error may echo the block's data: one redacted line
        raise FramecastError(
            f"alerts: the Prefect server did not save the notification block: {redaction.scrub(str(exc))[:300]}"
        ) from None
    for other in BLOCK_TYPES:
        if other != slug:
            _delete_block(client, other)
    return slug, block_id


def _delete_block(client, slug: str) -> bool:
    from prefect.exceptions import ObjectNotFound

    try:
        client.delete_block_document(client.read_block_document_by_name(BLOCK, slug, include_secrets=False).id)
    except ObjectNotFound:
        return False
    return True


def alert_automation(channel: str, block_id: UUID, ui_url: str):
    """Notify through the block when a run tagged `channel:NAME` reaches a FAILED or CRASHED state."""
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    # Written into the template as text: nothing a file name may hold is read as Jinja or breaks the quotes.
    shown = re.sub(r"[^\w.-]", "_", channel)
    return AutomationCore(
        name=automation_name(channel),
        description=f"Sends a message when a run of channel {channel} fails (gate rejections included) or crashes.",
        trigger=EventTrigger(
            # State-change events name the state (Failed, TimedOut, Crashed…): the type decides, so every failed
            # kind counts once; one state change is one event, so one message.
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification(
                {"prefect.resource.id": "prefect.flow-run.*", "prefect.state-type": ["FAILED", "CRASHED"]}
            ),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.channel:{channel}"}
            ),
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject=SUBJECT % shown,
                body=BODY % {"channel": shown, "label": STAGE_LABEL, "before": BEFORE_STAGES, "ui": ui_url.rstrip("/")},
            )
        ],
    )


def ensure_alerts(client, channels: list[str], notify: str | None) -> dict:
    """`notify`: a URL saves the block and one automation per channel; "none" removes both; None keeps a saved
    block and brings the automations in line with `channels`. Automations of channels gone are deleted."""
    from prefect.settings import PREFECT_UI_URL

    from tasks.warning_alerts import WARNING_PREFIX, warning_automation

    ours = (AUTOMATION_PREFIX, WARNING_PREFIX)  # a failure alert and a pre-flight warning alert per channel
    existing = {a.name: a for a in client.read_automations() if a.name.startswith(ours)}
    if notify is not None and notify.strip().lower() == "none":
        for automation in existing.values():
            client.delete_automation(automation.id)
        removed = [slug for slug in BLOCK_TYPES if _delete_block(client, slug)]
        return {"block": None, "removed_automations": len(existing), "removed_block": bool(removed), "channels": []}
    block = save_block(client, notify.strip()) if notify is not None else saved_block(client)
    if block is None:
        return {"block": None, "channels": [], "kept": sorted(existing)}
    ui_url = PREFECT_UI_URL.value() or "http://127.0.0.1:4200"
    for channel in channels:
        for automation in (alert_automation(channel, block[1], ui_url), warning_automation(channel, block[1], ui_url)):
            found = existing.pop(automation.name, None)
            if found:
                client.update_automation(found.id, automation)
            else:
                client.create_automation(automation)
    for stale in existing.values():
        client.delete_automation(stale.id)
    return {"block": f"{BLOCK} ({block[0]})", "channels": list(channels), "removed_automations": len(existing)}


def describe(done: dict) -> str:
    """One line for prefect-setup's output (never the URL)."""
    if done.get("block"):
        gone = f"; {done['removed_automations']} of channels gone removed" if done.get("removed_automations") else ""
        return (
            f"alerts: block {done['block']} → per channel ({', '.join(done['channels']) or 'none'}): "
            f"Failed, Crashed and gate-refused runs, and pre-flight warnings (a model retiring soon){gone}"
        )
    if "kept" in done:
        return (
            "alerts: none (`framecast prefect-setup --notify URL` sets them up)"
            if not done["kept"]
            else f"alerts: no block saved; {len(done['kept'])} alert automation(s) left as they are"
        )
    return (
        f"alerts: removed ({done['removed_automations']} automation(s)"
        f"{' and the notification block' if done['removed_block'] else ''})"
    )


class OpenStages:
    """The run's stages begun and not finished, kept in the flow run's `framecast.stage` label (one update per
    change, about a dozen per video), so an alert for a crash says where the run stopped."""

    def __init__(self):
        self.left: dict[str, int] = {}

    def begin(self, name: str, total: int) -> None:
        self.left[name] = max(total, 1)
        self._show()

    def step(self, name: str) -> None:
        if name in self.left:
            self.left[name] -= 1
            if self.left[name] <= 0:
                del self.left[name]
                self._show()

    def _show(self) -> None:
        mark_stage(", ".join(self.left) or "finished")


def mark_stage(text: str) -> None:
    """Set the current flow run's stage label; an API hiccup here never stops a video."""
    from prefect.client.orchestration import get_client
    from prefect.logging import get_logger
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    if not run_id:
        return
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run_labels(UUID(run_id), {STAGE_LABEL: text})
    except Exception as exc:  # noqa: BLE001 — the label only feeds the alert message
        get_logger("framecast.alerts").warning("could not record the stage %r on the run: %s", text, exc)


def scrubbed_errors(fn):
    """Decorate the flow function: an error leaving it has no secret in its text, since Prefect makes the run's
    state message (shown in the UI and sent in alerts) from it."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            clean = redaction.error_text(exc)
            if clean == str(exc):
                raise
            try:
                exc.args = (clean,)
            except Exception:  # noqa: BLE001 — an exception type that refuses new args
                pass
            if str(exc) == clean:
                raise
            raise FramecastError(clean) from None

    return wrapper
