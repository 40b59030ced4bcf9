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


def test_every_channel_has_exactly_one_scheduled_deployment():
    channels = available_channels(REPO_ROOT / "deployments")
    deployed = [d["parameters"]["channel"] for d in RAW["deployments"]]
    assert sorted(deployed) == sorted(channels)
    for raw in RAW["deployments"]:
        load_channel(raw["parameters"]["channel"])
        assert raw["work_pool"]["name"]
        for schedule in raw["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # raises if invalid
        assert load_channel(raw["parameters"]["channel"]).topics, "a scheduled channel needs topics"


def test_entrypoints_load_the_flow_and_parameters_match_its_signature():
    for raw in RAW["deployments"]:
        path, _, _ = raw["entrypoint"].partition(":")
        assert (REPO_ROOT / path).is_file()
        flow = load_flow_from_entrypoint(str(REPO_ROOT / raw["entrypoint"]))
        assert isinstance(flow, Flow) and flow.name == "produce-video"
        assert set(raw["parameters"]) <= set(flow.parameters.properties)
