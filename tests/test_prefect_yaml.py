"""prefect.yaml has no dry run and ignores misspelled keys: check it against Prefect's own models."""

import yaml
from prefect.cli.deploy._models import DeploymentConfig, PrefectYamlModel
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import Flow, load_flow_from_entrypoint

from framecast.channel import available_channels
from framecast.plan.load import load_channel
from framecast.settings import REPO_ROOT

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


# --- The deployments list is generated from the channel files (framecast/commands/deployments.py). ---

import tomllib  # noqa: E402

import pytest  # noqa: E402
from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule  # noqa: E402
from prefect.client.schemas.actions import DeploymentScheduleCreate  # noqa: E402

from flows.cli import main  # noqa: E402
from framecast.channel_schedule import check_cron  # noqa: E402
from framecast.commands import deployments as deploygen  # noqa: E402
from framecast.core.errors import ConfigError  # noqa: E402
from tests.conftest import write_channel  # noqa: E402

# Someone else's parts of prefect.yaml, above and below the list: kept byte for byte.
USER_ABOVE = deploygen.TEMPLATE.replace("name: framecast\n", "name: framecast  # mine\n# a note of mine\n")
USER_BELOW = (
    "\n# Every worker clones the pinned revision (the pull step is not generated).\npull:\n"
    "  - prefect.deployments.steps.set_working_directory:\n      directory: '{{ $FRAMECAST_CHECKOUT }}'\n"
)


def test_the_committed_prefect_yaml_is_what_the_generator_writes():
    text = (REPO_ROOT / "prefect.yaml").read_text()
    assert deploygen.generate(REPO_ROOT / "deployments", text) == text, (
        "prefect.yaml is stale: run `framecast deployments` and commit it"
    )


def prefect_deploy_schedules(raw: dict) -> list[DeploymentScheduleCreate]:
    """The schedules as `prefect deploy` turns them into API objects (its own conversion)."""
    return [DeploymentScheduleCreate(**_schedule_config_to_deployment_schedule(s)) for s in raw["schedules"]]


def test_fifty_channels_make_fifty_deployments_that_prefects_deploy_models_accept(tmp_path):
    zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    for i in range(50):
        extra = (
            {}
            if i % 10 == 9
            else {
                "schedule": {
                    "cron": f"{i} {6 + i % 12} * * *" if i % 3 else [f"{i} 9 * * mon-fri", "30 12 * * sat"],
                    "active": i % 7 != 6,
                }
            }
        )
        write_channel(
            tmp_path,
            name=f"channel-{i:02d}",
            timezone=zones[i % 4],
            topics=["How kites fly"],
            title=f"Channel #{i}: kites, 'quoted' & more",
            **extra,
        )
    text = deploygen.generate(tmp_path, (USER_ABOVE + "deployments: []\n" + USER_BELOW))
    assert text.startswith(USER_ABOVE) and text.endswith(USER_BELOW)
    raw = yaml.safe_load(text)
    model = PrefectYamlModel.model_validate(raw)
    assert len(model.deployments) == 50 and raw["pull"]
    known = set(DeploymentConfig.model_fields)
    for i, d in enumerate(raw["deployments"]):
        assert set(d) <= known and d["name"] == f"channel-{i:02d}" and d["parameters"] == {"channel": d["name"]}
        assert d["tags"] == ["framecast", f"channel:{d['name']}"] and d["description"].startswith(f"Channel #{i}: ")
        assert d["work_pool"]["name"] == "framecast-local"
        assert d["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
        schedules = prefect_deploy_schedules(d)
        if i % 10 == 9:
            assert schedules == [] and d["schedules"] == []
            continue
        assert len(schedules) == (1 if i % 3 else 2)
        for s in schedules:
            assert s.schedule.timezone == zones[i % 4] and s.active is (i % 7 != 6)
            assert s.schedule.cron in (
                [f"{i} {6 + i % 12} * * *"] if i % 3 else [f"{i} 9 * * mon-fri", "30 12 * * sat"]
            )


def test_generating_twice_changes_nothing_and_keeps_everything_outside_the_list(tmp_path):
    channels = tmp_path / "channels"
    channels.mkdir()
    write_channel(channels, name="a", schedule={"cron": "0 9 * * *"})
    write_channel(channels, name="b")
    path = tmp_path / "prefect.yaml"
    # The list between the user's sections, hand-edited: replaced; the rest: untouched.
    path.write_text(USER_ABOVE + "deployments:\n  - name: old\n    entrypoint: x.py:f\n" + USER_BELOW)
    assert main(["deployments", "--file", str(path), "--channels", str(channels), "--check"]) == 1
    assert main(["deployments", "--file", str(path), "--channels", str(channels)]) == 0
    first = path.read_bytes()
    assert main(["deployments", "--file", str(path), "--channels", str(channels)]) == 0
    assert main(["deployments", "--file", str(path), "--channels", str(channels), "--check"]) == 0
    assert path.read_bytes() == first
    text = first.decode()
    assert text.startswith(USER_ABOVE) and text.endswith(USER_BELOW) and "name: old" not in text
    assert [d["name"] for d in yaml.safe_load(text)["deployments"]] == ["a", "b"]
    # No file yet: the template (its definitions hold the anchors the list uses).
    fresh = tmp_path / "new.yaml"
    assert main(["deployments", "--file", str(fresh), "--channels", str(channels)]) == 0
    assert PrefectYamlModel.model_validate(yaml.safe_load(fresh.read_text())).deployments[0].name == "a"
    # A channel edit without regenerating is stale.
    write_channel(channels, name="b", schedule={"cron": "0 10 * * *", "active": False})
    assert main(["deployments", "--file", str(path), "--channels", str(channels), "--check"]) == 1


@pytest.mark.parametrize(
    "schedule, field, hint",
    [
        ({"cron": "0 25 * * *"}, "schedule.cron[0]", "hour '25' is out of range (0-23)"),
        ({"cron": "0 9 * *"}, "schedule.cron[0]", "has 4 fields, not 5"),
        ({"cron": ["0 9 * * *", "0 9 * * funday"]}, "schedule.cron[1]", "day of week 'funday' is out of range"),
        ({"cron": "*/0 * * * *"}, "schedule.cron[0]", "step in '*/0' must be 1 or more"),
        ({"cron": []}, "schedule.cron", "at least 1 item"),
        ({"crons": "0 9 * * *"}, "schedule.crons", "unknown field"),
        ({"cron": "0 9 * * *", "active": "maybe"}, "schedule.active", "valid boolean"),
    ],
)
def test_a_bad_schedule_is_a_config_error_naming_the_field(tmp_path, capsys, schedule, field, hint):
    write_channel(tmp_path, name="bad", schedule=schedule)
    with pytest.raises(ConfigError) as err:
        deploygen.generate(tmp_path, None)
    assert f"{field}: " in str(err.value) and hint in str(err.value), str(err.value)
    assert main(["deployments", "--file", str(tmp_path / "p.yaml"), "--channels", str(tmp_path)]) == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and field in message and "Traceback" not in message
    assert not (tmp_path / "p.yaml").exists()


def test_a_prefect_yaml_without_the_anchors_says_what_to_define(tmp_path):
    write_channel(tmp_path, name="a")
    with pytest.raises(ConfigError, match=r"\*local-pool, \*one-at-a-time; define them under definitions:"):
        deploygen.generate(tmp_path, "name: framecast\ndeployments: []\n")


VALID = [
    "0 9 * * *",
    "*/15 * * * *",
    "0 9 * * mon-fri",
    "30 12 1,15 * *",
    "0 0 1 jan *",
    "0 9 * * 7",
    "5-55/10 8-18 * * 1-5",
    "@daily",
    "@hourly",
    "0 9 * * MON",
]
INVALID = [
    "0 9 * *",
    "60 * * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 8",
    "0 9 * * 5-1",
    "0 H * * *",
    "0 9 * * * *",
    "R * * * *",
    "@every_day",
    "0 9 L * *",
    "",
]


def test_framecast_accepts_only_crons_prefect_accepts():
    for cron in VALID:
        CronSchedule(cron=check_cron(cron), timezone="UTC")  # Prefect's own check
    for cron in INVALID:
        with pytest.raises(ValueError):
            check_cron(cron)


def test_an_unscheduled_channel_clears_a_deployed_schedule_when_deployed_from_the_checkout(monkeypatch):
    smoke = next(d for d in RAW["deployments"] if d["name"] == "smoke")
    assert smoke["schedules"] == [] and load_channel("smoke").schedule is None
    # `schedules: []` keeps the old schedule unless this is set (prefect/deployments/runner.py): prefect.toml
    # in the checkout sets it for every `prefect` command run there.
    from prefect.settings import Settings

    assert tomllib.loads((REPO_ROOT / "prefect.toml").read_text())["deployments"]["clear_schedules_on_empty"] is True
    monkeypatch.delenv("PREFECT_DEPLOYMENTS_CLEAR_SCHEDULES_ON_EMPTY", raising=False)
    monkeypatch.chdir(REPO_ROOT)
    assert Settings().deployments.clear_schedules_on_empty is True
