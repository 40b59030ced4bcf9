"""What a run shows in the Prefect UI: its name, artifacts with stable keys per channel, its progress."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.orchestration import get_client
from prefect.runtime import flow_run

from framecast import context as runtime
from framecast import report
from framecast.core import progress
from framecast.core.models import ImageAsset, Publication, QualityReport, Script
from framecast.core.safe_text import markdown as md
from framecast.cost.meter import Meter
from tasks.alerts import OpenStages

SAFE_URL = ":/?#=&%~.-_+@!$,;"  # a link keeps its URL characters; spaces, brackets and quotes are percent-encoded


def key(channel: str, what: str) -> str:
    """A stable artifact key per channel (the UI keeps each key's history across runs)."""
    return f"{channel}-{what}"[:100]


def name_flow_run(name: str) -> None:
    """Rename the current flow run (the topic is known only once the run has chosen it)."""
    run_id = flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(run_id), name=name[:200])


def deployment_channel() -> tuple[str, str] | None:
    """(deployment name, its channel parameter) when this run comes from a deployment, else None.

    `prefect.runtime.deployment.parameters` returns the run's own parameters, so the deployment is read.
    """
    from prefect.runtime import deployment

    deployment_id = deployment.get_id()
    if not deployment_id:
        return None
    with get_client(sync_client=True) as client:
        found = client.read_deployment(UUID(deployment_id))
    return found.name, str((found.parameters or {}).get("channel", ""))


class RunProgress:
    """Steps done out of the run's total, as a progress artifact; also drives the CLI's progress bars."""

    def __init__(self, channel: str, total: int):
        self.done, self.total = 0, max(total, 1)
        self.artifact = create_progress_artifact(0.0, key=key(channel, "progress"), description="starting")
        self.open = OpenStages()  # the run's stage label, for alerts

    def stage(self, name: str, total: int = 1) -> None:
        progress.stage(name, total)
        self.open.begin(name, total)

    def advance(self, name: str, detail: str = "") -> None:
        progress.advance(name, detail)
        self.open.step(name)
        self.done = min(self.done + 1, self.total)
        update_progress_artifact(
            self.artifact,
            round(100.0 * self.done / self.total, 1),
            description=f"{name}{': ' + md(detail) if detail else ''} ({self.done}/{self.total} steps)",
        )


def show_script(channel: str, script: Script) -> None:
    create_table_artifact(
        report.script_rows(script),
        key=key(channel, "script"),
        description=f"Script: {md(script.title)} ({len(script.scenes)} scenes)",
    )


def show_contact_sheet(channel: str, stills: list[ImageAsset]) -> None:
    store = runtime.store()
    paths = [store.local_path(s.ref) for s in stills]
    with runtime.scratch() as tmp:
        sheet = report.contact_sheet(paths, tmp / "contact-sheet.jpg")
        ref = store.put(sheet, "image/jpeg")
        markdown = report.inline_image_markdown(sheet, "scene stills")
        # The run's Artifacts tab shows only each card's description (as markdown): a small sheet goes there.
        card = report.inline_image_markdown(report.contact_sheet(paths, tmp / "card.jpg", width=120), "stills")
    create_markdown_artifact(
        f"# Scene stills\n\n{markdown}\n\nStored at `{ref.uri}`",
        key=key(channel, "contact-sheet"),
        description=f"{len(stills)} scene stills\n\n{card}",
    )


def show_quality(channel: str, quality: QualityReport, title: str) -> None:
    create_markdown_artifact(
        report.quality_markdown(quality, title),
        key=key(channel, "quality-report"),
        description=report.quality_card(quality),
    )


def show_cost(channel: str, meter: Meter, fallbacks: list[str] = ()) -> None:
    rows = report.cost_rows(meter.entries())
    fell_back = "".join(f"\n- fallback: {md(line)}" for line in fallbacks)  # provider messages: text only
    create_table_artifact(
        rows,
        key=key(channel, "cost"),
        description=f"**${rows[-1]['usd']:.2f}** for {rows[-1]['calls']} provider calls (list prices){fell_back}",
    )


def show_publication(channel: str, publication: Publication) -> None:
    youtube = (publication.youtube or {}).get("url")
    link = youtube or f"{publication.location}/video.mp4"
    if "://" not in link:
        link = f"file://{link}"
    # Prefect writes a link artifact as "[link_text](link)" markdown: the title escaped, the URL percent-encoded.
    link, text = quote(link, safe=SAFE_URL), md(publication.title or link)
    create_link_artifact(
        link,
        link_text=text,
        key=key(channel, "published-video"),
        description=f"{'YouTube' if youtube else 'Artifact store'}: [{text}](<{link}>)",
    )
