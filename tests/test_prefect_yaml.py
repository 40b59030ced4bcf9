"""prefect.yaml has no dry run and ignores misspelled keys: check it against Prefect's own models."""

import yaml
from prefect.client.schemas.schedules import CronSchedule
from prefect.cli.deploy._models import DeploymentConfig, PrefectYamlModel
from prefect.flows import Flow, load_flow_from_entrypoint

from framecast.config import REPO_ROOT, available_channels, load_channel

RAW = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())


def test_prefect_yaml_validates_with_prefects_models_and_has_no_unknown_keys():
    model = PrefectYamlModel.model_validate(RAW)
    assert model.deployments
    known = set(DeploymentConfig.model_fields)
    for raw in RAW["deployments"]:
        assert set(raw) <= known, f"{raw['name']}: unknown keys {set(raw) - known}"


def test_every_channel_has_exactly_one_deployment_named_and_tagged_after_it():
    channels = available_channels(REPO_ROOT / "deployments")
    deployed = [d["parameters"]["channel"] for d in RAW["deployments"]]
    assert sorted(deployed) == sorted(channels)
    for raw in RAW["deployments"]:
        channel = load_channel(raw["parameters"]["channel"])
        assert raw["name"] == channel.name
        assert [t for t in raw["tags"] if t.startswith("channel:")] == [f"channel:{channel.name}"]
        assert raw["work_pool"]["name"] and raw["concurrency_limit"]["limit"] == 1
        assert raw["enforce_parameter_schema"] is True  # the server refuses a channel outside the form's choices


def test_scheduled_channels_have_topics_and_the_schedule_in_their_own_timezone():
    scheduled = [raw for raw in RAW["deployments"] if raw["schedules"]]
    assert scheduled
    for raw in scheduled:
        channel = load_channel(raw["parameters"]["channel"])
        assert channel.topics, f"{channel.name}: a scheduled channel needs topics"
        for schedule in raw["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # raises if invalid
            assert schedule["timezone"] == channel.timezone, f"{channel.name}: run days follow the channel's timezone"


def test_entrypoints_load_the_flow_and_the_form_offers_the_known_channels():
    for raw in RAW["deployments"]:
        path, _, _ = raw["entrypoint"].partition(":")
        assert (REPO_ROOT / path).is_file()
        flow = load_flow_from_entrypoint(str(REPO_ROOT / raw["entrypoint"]))
        assert isinstance(flow, Flow) and flow.name == "produce-video"
        assert set(raw["parameters"]) <= set(flow.parameters.properties)
        assert flow.parameters.properties["channel"]["enum"] == available_channels(REPO_ROOT / "deployments")
