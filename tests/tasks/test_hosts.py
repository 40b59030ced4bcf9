"""Several hosts: the pull steps that find each worker's own checkout, and secrets as Prefect Secret blocks."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from framecast.core.errors import ConfigError
from framecast.settings import REPO_ROOT, reset_settings
from framecast.transport import redaction
from tasks import hosts

KEY = "sk-two-hosts-0123456789abcdef"
PASSWORD = "LedgerPW-4242"


@pytest.fixture
def secret_env(monkeypatch):
    for name in hosts.secret_variables():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("FRAMECAST_LEDGER_URL", f"postgresql+psycopg://framecast:{PASSWORD}@db.internal:5432/ledger")
    monkeypatch.chdir(REPO_ROOT / "tests")  # no .env of the developer's
    reset_settings()
    yield
    reset_settings()


def test_prefect_yaml_pulls_the_workers_own_checkout_at_the_deployed_revision():
    raw = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())
    assert raw["build"] == [{"tasks.hosts.checkout_revision": {"id": "deployed"}}]
    assert raw["pull"] == [
        {"tasks.hosts.installed_checkout": {"id": "checkout", "revision": "{{ deployed.revision }}"}},
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ checkout.directory }}"}},
    ]
    assert not any("pull" in d or "build" in d for d in raw["deployments"])  # one rule for every deployment
    revision = hosts.checkout_revision()["revision"]
    assert len(revision) == 40
    assert hosts.installed_checkout(revision) == {"directory": str(REPO_ROOT), "revision": revision}
    assert hosts.installed_checkout("")["directory"] == str(REPO_ROOT)  # deployed outside git: not checked


def test_a_worker_at_another_revision_refuses_the_run_naming_both():
    with pytest.raises(
        ConfigError,
        match=r"^checkout: this worker's framecast .* is at revision [0-9a-f]{12}, the "
        r"deployment was made at 0123456789ab: update",
    ):
        hosts.installed_checkout("0123456789abcdef0123456789abcdef01234567")


def test_block_names_follow_the_variables():
    assert hosts.block_name("OPENAI_API_KEY") == "framecast-openai-api-key"
    assert hosts.block_name("FRAMECAST_LEDGER_URL") == "framecast-ledger-url"
    assert hosts.reference("RUNWAYML_API_SECRET") == "{{ prefect.blocks.secret.framecast-runwayml-api-secret }}"
    assert {"OPENAI_API_KEY", "FRAMECAST_LEDGER_URL", "KLING_SECRET_KEY", "FRAMECAST_CALLBACK_SECRET"} <= set(
        hosts.secret_variables()
    )


@pytest.mark.usefixtures("prefect_server")
def test_setup_stores_secrets_as_blocks_and_the_pool_env_holds_only_references(secret_env):
    from prefect.blocks.system import Secret
    from prefect.client.orchestration import get_client
    from prefect.workers.process import ProcessJobConfiguration

    from tasks.operations import ensure_pool

    assert hosts.store_secrets() == ["FRAMECAST_LEDGER_URL", "OPENAI_API_KEY"]
    assert Secret.load("framecast-openai-api-key").get() == KEY
    with get_client(sync_client=True) as client:
        ensure_pool(client, "framecast-hosts-test", 1)
        pool = client.read_work_pool("framecast-hosts-test")
    env = pool.base_job_template["variables"]["properties"]["env"]["default"]
    assert env["OPENAI_API_KEY"] == "{{ prefect.blocks.secret.framecast-openai-api-key }}"
    assert env["FRAMECAST_LEDGER_URL"] == "{{ prefect.blocks.secret.framecast-ledger-url }}"
    shown = json.dumps(pool.model_dump(mode="json"))
    assert KEY not in shown and PASSWORD not in shown

    # What the worker does when it starts a run: the references become the values, in the run's env only.
    import asyncio

    from prefect.client.orchestration import get_client as get_async_client

    async def resolve():
        async with get_async_client() as client:
            return await ProcessJobConfiguration.from_template_and_values(pool.base_job_template, {}, client=client)

    job = asyncio.run(resolve())
    assert job.env["OPENAI_API_KEY"] == KEY and PASSWORD in job.env["FRAMECAST_LEDGER_URL"]


def test_secrets_that_reach_a_flow_process_through_its_env_are_redacted_from_its_logs(secret_env, caplog):
    """The run's process reads them like any setting, so framecast's redaction covers them."""
    redaction.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("framecast.test").info("key %s, ledger password %s", KEY, PASSWORD)
    assert KEY not in caplog.text and PASSWORD not in caplog.text


# The shape of prefect-kubernetes' default base job template (worker.py: job_configuration + variables), cut down.
KUBERNETES_BASE = {
    "job_configuration": {
        "env": "{{ env }}",
        "job_manifest": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "prefect-job", "env": "{{ env }}", "image": "{{ image }}"}]}
                }
            },
        },
    },
    "variables": {
        "type": "object",
        "properties": {
            "env": {"title": "Environment Variables", "type": "object", "additionalProperties": {"type": "string"}},
            "image": {"title": "Image", "type": "string"},
            "namespace": {"type": "string", "default": "default"},
        },
    },
}


@pytest.mark.usefixtures("prefect_server")
def test_a_kubernetes_template_gets_the_image_the_secret_references_and_rescheduling_on_eviction(
    secret_env, tmp_path, capsys
):
    from prefect.workers.process import ProcessWorker

    hosts.store_secrets()
    base = tmp_path / "k8s.json"
    base.write_text(json.dumps(KUBERNETES_BASE))
    assert hosts.main([str(base), "--image", "registry.example.com/framecast:abc123"]) == 0
    printed = capsys.readouterr().out
    template = json.loads(printed)
    variables = template["variables"]["properties"]
    assert variables["image"]["default"] == "registry.example.com/framecast:abc123"
    env = variables["env"]["default"]
    assert env["PREFECT_FLOW_RUN_EXECUTE_SIGTERM_BEHAVIOR"] == "reschedule"
    assert env["OPENAI_API_KEY"] == hosts.reference("OPENAI_API_KEY")
    assert env["FRAMECAST_LEDGER_URL"] == hosts.reference("FRAMECAST_LEDGER_URL")
    assert KEY not in printed and PASSWORD not in printed
    assert template["job_configuration"] == KUBERNETES_BASE["job_configuration"]
    with pytest.raises(ConfigError, match="^--image: this work pool type runs no image"):
        hosts.job_template(ProcessWorker.get_default_base_job_template(), {}, "img")
