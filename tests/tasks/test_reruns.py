"""The crash re-run: which crashed runs Prefect's trigger matches, and what the re-run takes from the crashed run
(and what it refuses, which bounds it to one automatic re-run per crash). The whole path against a real server,
workers and crashes is in tests/operations/test_unattended.py."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from framecast.core.errors import ConfigError
from framecast.topic.choose import run_day
from tasks.reruns import crashed_inputs, rerun_automation


def server_automation():
    """The automation as Prefect's server reads it (its own validators, e.g. against run loops, included)."""
    from prefect.server.events.schemas.automations import AutomationCore

    return AutomationCore.model_validate(rerun_automation().model_dump(mode="json"))


def crashed_event(event: str = "prefect.flow-run.Crashed", tags=("framecast", "channel:smoke"), deployment=True):
    from prefect.server.events.schemas.events import ReceivedEvent

    related = [{"prefect.resource.id": f"prefect.tag.{t}", "prefect.resource.role": "tag"} for t in tags]
    if deployment:
        related.append(
            {
                "prefect.resource.id": f"prefect.deployment.{uuid4()}",
                "prefect.resource.role": "deployment",
                "prefect.resource.name": "smoke",
            }
        )
    return ReceivedEvent(
        id=uuid4(),
        occurred=datetime.now(UTC),
        event=event,
        resource={"prefect.resource.id": f"prefect.flow-run.{uuid4()}"},
        related=related,
    )


def test_the_trigger_matches_crashed_framecast_deployment_runs_only():
    trigger = server_automation().trigger
    assert trigger.covers(crashed_event())
    assert not trigger.covers(crashed_event("prefect.flow-run.Failed"))  # a failure is the flow's verdict, not re-run
    assert not trigger.covers(crashed_event(tags=("nightly",)))  # another project's runs on the same server
    assert not trigger.covers(crashed_event(deployment=False))  # `framecast make`: nothing to start again


def test_the_action_starts_the_crashed_runs_own_deployment_with_its_id():
    action = server_automation().actions[0]
    assert action.type == "run-deployment" and action.source == "inferred"
    assert action.parameters == {"rerun_of": {"__prefect_kind": "jinja", "template": "{{ flow_run.id }}"}}


@pytest.fixture
def make_run(prefect_server):
    """A flow run with these parameters, scheduled for `at`, then moved to `state` (as the API would)."""
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Completed, Crashed, Scheduled

    @flow(name="framecast-rerun-check")
    def stand_in():
        return None

    def make(parameters: dict, at: datetime, state: str = "crashed"):
        with get_client(sync_client=True) as client:
            run = client.create_flow_run(stand_in, parameters=parameters, state=Scheduled(scheduled_time=at))
            final = {"crashed": Crashed, "completed": Completed}.get(state)
            if final:
                client.set_flow_run_state(run.id, final(message="the host went away"), force=True)
            return str(run.id)

    return make


def test_a_rerun_takes_the_crashed_runs_inputs_and_its_scheduled_day(make_run):
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Berlin
    crashed = make_run({"channel": "smoke", "topic": "Why the sea is salty", "notes": ["Rivers carry salt"]}, late)
    given, start = crashed_inputs(crashed, "smoke", "", None, None, None)
    assert given == ("smoke", "Why the sea is salty", ["Rivers carry salt"], None, None)
    assert run_day(start, "Europe/Berlin").isoformat() == "2026-03-02"  # the crashed run's day, not today's

    dated = make_run({"channel": "smoke", "publish_date": "2026-02-27"}, late)
    assert crashed_inputs(dated, "smoke", "   ", None, None, None)[0] == ("smoke", "", None, None, "2026-02-27")


def test_a_rerun_of_a_rerun_is_refused_so_a_crash_is_rerun_once(make_run):
    first = make_run({"channel": "smoke"}, datetime.now(UTC))
    rerun = make_run({"channel": "smoke", "rerun_of": first}, datetime.now(UTC))
    with pytest.raises(ConfigError, match=rf"^rerun_of: run .* was itself a re-run of {first}; .* once"):
        crashed_inputs(rerun, "smoke", "", None, None, None)


def test_what_a_rerun_refuses_names_the_field_and_the_fix(make_run):
    done = make_run({"channel": "smoke"}, datetime.now(UTC), state="completed")
    with pytest.raises(ConfigError, match=r"^rerun_of: run .* is completed; only a crashed, failed or cancelled"):
        crashed_inputs(done, "smoke", "", None, None, None)
    waiting = make_run({"channel": "smoke"}, datetime.now(UTC), state="scheduled")
    with pytest.raises(ConfigError, match=r"is scheduled; only"):
        crashed_inputs(waiting, "smoke", "", None, None, None)
    with pytest.raises(ConfigError, match=r"^rerun_of: 'yesterday' is not a flow run id"):
        crashed_inputs("yesterday", "smoke", "", None, None, None)
    with pytest.raises(ConfigError, match=r"^rerun_of: no flow run .* on this Prefect server"):
        crashed_inputs(str(uuid4()), "smoke", "", None, None, None)
    crashed = make_run({"channel": "smoke"}, datetime.now(UTC))
    with pytest.raises(ConfigError, match=r"^rerun_of: a re-run takes the topic, .* leave them blank"):
        crashed_inputs(crashed, "smoke", "How bees make honey", None, None, None)
