"""Running on several hosts: where a worker finds the code, and the secrets every worker needs.

Code: `prefect.yaml`'s pull steps call `installed_checkout`, so a flow run starts in the checkout whose
`framecast` package the worker's Python imports (wherever that host keeps it), and refuses to run code of
another revision than the one deployed. Nothing is cloned: a second copy of the code next to the installed
one would run `flows/` from one and `framecast/` from the other.

Secrets: `framecast prefect-setup` stores the provider keys and the ledger URL it finds as Prefect `Secret`
blocks, and the work pool's env names them as `{{ prefect.blocks.secret.NAME }}` (the worker resolves them
when it starts a run), so a new worker needs only PREFECT_API_URL and the pool shows no secret value.
"""

from __future__ import annotations

import logging
import os
import subprocess

from framecast.core.envcheck import variable_name
from framecast.providers import connect
from framecast.settings import REPO_ROOT, SECRET_FIELDS, Settings, get_settings

log = logging.getLogger("prefect.flow_runs")  # the logger whose records Prefect ships to the run's logs
REVISION_VARIABLE = "FRAMECAST_REVISION"  # the revision of a checkout without .git (an image, Dockerfile)


def secret_variables() -> list[str]:
    """Every environment variable framecast reads a secret from: its settings' and each vendor's keys."""
    names = connect.secret_variables() + [variable_name(Settings, field) for field in SECRET_FIELDS]
    return list(dict.fromkeys(names))


def block_name(variable: str) -> str:
    """The Secret block holding `variable`: OPENAI_API_KEY -> framecast-openai-api-key."""
    return "framecast-" + variable.removeprefix("FRAMECAST_").lower().replace("_", "-")


def reference(variable: str) -> str:
    """The job-variable template the worker replaces with the block's value when it starts a run."""
    return "{{ prefect.blocks.secret." + block_name(variable) + " }}"


def _present() -> dict[str, str]:
    """The secrets configured here (environment or .env), by variable name."""
    settings = get_settings()
    found = connect.secret_values(settings)
    for field in SECRET_FIELDS:
        secret = getattr(settings, field)
        if secret is not None and secret.get_secret_value():
            found[variable_name(Settings, field)] = secret.get_secret_value()
    for name in secret_variables():
        if name not in found and (value := settings.env_value(name)):
            found[name] = value
    return found


def store_secrets() -> list[str]:
    """Save each secret configured here as a Secret block (replacing an older value); the variables saved."""
    from prefect.blocks.system import Secret

    present = _present()
    for variable, value in present.items():
        Secret(value=value).save(block_name(variable), overwrite=True)
    return sorted(present)


def secret_references(client) -> dict[str, str]:
    """Pool env entries for every framecast Secret block on the server (stored from this host or another)."""
    from prefect.exceptions import ObjectNotFound

    try:
        stored = {d.name for d in client.read_block_documents_by_type("secret", include_secrets=False)}
    except ObjectNotFound:  # a server that has no Secret block type yet has no secrets either
        stored = set()
    return {v: reference(v) for v in secret_variables() if block_name(v) in stored}


def checkout_revision(directory=REPO_ROOT) -> dict[str, str]:
    """Build step (`prefect deploy`): the git revision of the checkout deploying, '' outside git."""
    return {"revision": _revision(directory)}


def _revision(directory) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        done = None
    if done is not None and done.returncode == 0:
        return done.stdout.strip()
    return os.environ.get(REVISION_VARIABLE, "").strip()


def installed_checkout(revision: str = "") -> dict[str, str]:
    """Pull step: the checkout of the framecast this worker imports, refused if it is not at `revision`."""
    from framecast.core.errors import ConfigError

    here = _revision(REPO_ROOT)
    if revision and here and here != revision:
        raise ConfigError(
            f"checkout: this worker's framecast ({REPO_ROOT}) is at revision {here[:12]}, the "
            f"deployment was made at {revision[:12]}: update the worker's checkout (git checkout "
            f"{revision[:12]}; pip install -e .) or deploy again from the revision the workers run"
        )
    # Shipped to the run's logs, so the UI says which code on which host ran it.
    log.info(
        "framecast checkout %s at revision %s%s",
        REPO_ROOT,
        here[:12] or "unknown",
        "" if revision and here else " (not checked: the deployment or this checkout has no git revision)",
        extra={"flow_run_id": os.environ.get("PREFECT__FLOW_RUN_ID")},
    )
    return {"directory": str(REPO_ROOT), "revision": here}


def job_template(base: dict, env: dict[str, str], image: str | None = None) -> dict:
    """A work pool's base job template (any worker type) with framecast's env, and the image if the type has one.

    An evicted or stopped run goes back to Scheduled instead of Crashed (SIGTERM = reschedule), and its
    finished steps come from the cache when it starts again.
    """
    import copy

    template = copy.deepcopy(base)
    properties = template["variables"]["properties"]
    properties["env"]["default"] = {**env, "PREFECT_FLOW_RUN_EXECUTE_SIGTERM_BEHAVIOR": "reschedule"}
    if image:
        if "image" not in properties:
            from framecast.core.errors import ConfigError

            raise ConfigError("--image: this work pool type runs no image (use a kubernetes or docker template)")
        properties["image"]["default"] = image
    return template


def main(argv: list[str] | None = None) -> int:
    """`python -m tasks.hosts BASE.json [--image IMAGE]`: print BASE with the pool env framecast-local would get."""
    import argparse
    import json
    from pathlib import Path

    from prefect.client.orchestration import get_client

    from tasks.pool_env import worker_env

    parser = argparse.ArgumentParser(prog="python -m tasks.hosts", description=main.__doc__)
    parser.add_argument("base", type=Path, help="`prefect work-pool get-default-base-job-template --type kubernetes`")
    parser.add_argument("--image", help="the image built from this checkout's Dockerfile")
    args = parser.parse_args(argv)
    with get_client(sync_client=True) as client:
        env = {**worker_env(), **secret_references(client)}
    print(json.dumps(job_template(json.loads(args.base.read_text()), env, args.image), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
