"""Pre-flight: what would stop a run, found before the first paid call — all of it, in one message.

Checks, for the run's day: every key the channel's providers need is set; no model (named or
default) is past its shutdown date, with a warning within 30 days of it (dates from the provider
registry, and what the provider reports: OpenAI's `shutdown_date` on `GET /v1/models`, Anthropic's
`lifecycle` and `retires_at` on `GET /v1/models/{model}`); the estimate of a run fits the per-run budget;
and, online, that each key is accepted, by the cheapest authenticated call its provider offers
(`framecast.plan.probes`; YouTube's refresh token included). Not checked: YouTube's upload quota for the
day (no API reports it), and Runway, Kling and Stability keys beyond being set (no free call).
"""

from __future__ import annotations

from datetime import date

from framecast.channel import ChannelConfig
from framecast.core.errors import ConfigError
from framecast.plan.estimate import estimate
from framecast.plan.lifecycle import WARN_DAYS, Finding, reported
from framecast.providers import connect, registry


class PreflightFailed(ConfigError):
    """The channel cannot run as configured; nothing has been spent."""


def _uses(channel: ChannelConfig) -> list[list[tuple[str, str, str, str | None]]]:
    """For every provider use of the channel's run, its fallback chain: [(field, role, provider, model), ...]."""
    uses = [
        [
            (f"{role}.model", role, link.provider, link.model or registry.default_model(role, link.provider))
            for link in cfg.chain()
        ]
        for role, cfg in (
            ("script", channel.script),
            ("image", channel.image),
            ("motion", channel.motion),
            ("voice", channel.voice),
        )
    ]
    if (
        any(link.provider == "openai" for link in channel.voice.chain())
        and channel.voice.timing_source() == "whisper-1"
    ):
        uses.append([("voice.provider", "timing", "openai", "whisper-1")])
    if channel.music.source == "elevenlabs":
        uses.append([("music.source", "sound", "elevenlabs", registry.default_model("sound", "elevenlabs"))])
    if channel.sound.in_use():
        uses.append(
            [
                ("sound.model", "sound", link.provider, link.model or registry.default_model("sound", link.provider))
                for link in channel.sound.chain()
            ]
        )
    if channel.music.source == "elevenlabs-music":
        uses.append([("music.source", "music", "elevenlabs", registry.default_model("music", "elevenlabs"))])
    quality = channel.quality
    if quality.cloud_chain():  # the cloud analyzer, then its stand-ins (quality.fallback; local needs nothing)
        uses.append(
            [
                (
                    "quality.analyzers" if i == 0 else "quality.fallback",
                    "quality",
                    name,
                    (quality.gemini_model if name == "gemini" else None) or registry.default_model("quality", name),
                )
                for i, name in enumerate(quality.cloud_chain())
            ]
        )
    if "youtube" in channel.publish.targets:
        uses.append([("publish.targets", "publish", "youtube", None)])
    return uses


def _model_findings(field: str, role: str, provider: str, model: str | None, day: date) -> list[Finding]:
    spec = registry.spec(provider)
    if spec is None or provider == "local" or role == "publish":
        return []
    if model is None:
        ended = spec.role_shutdowns.get(role)
        if ended is not None and day >= ended.shutdown:
            return [Finding(True, field, f"{provider} {role} ended on {ended.shutdown} ({ended.source}): {ended.note}")]
        return [
            Finding(
                True,
                field,
                f"{provider} has no default {role} model (the ones it had are retiring); "
                f"name one, or choose another provider",
            )
        ]
    known = spec.lifecycle(model, role)  # the model's own entry, else a shutdown of its whole role
    unlisted = (
        [
            Finding(
                False,
                field,
                f"{provider} model {model!r} is not in framecast's registry: its limits and "
                f"shutdown date are unknown to pre-flight",
            )
        ]
        if spec.model(model) is None
        else []
    )
    if known is None or known.shutdown is None:
        return unlisted
    successor = f"; its successor is {known.successor}" if known.successor else ""
    why = f" ({known.note})" if known.note else ""
    if day >= known.shutdown:
        return [
            Finding(
                True,
                field,
                f"{provider} model {model!r} shut down on {known.shutdown} ({known.source}){why}"
                f"{successor}: choose another model or provider",
            )
        ] + unlisted
    left = (known.shutdown - day).days
    if left <= WARN_DAYS:
        return [
            Finding(
                False,
                field,
                f"{provider} model {model!r} shuts down on {known.shutdown}, in {left} days "
                f"({known.source}){why}{successor}",
            )
        ] + unlisted
    return unlisted


def _key_set(settings, name: str) -> bool:
    return bool(connect.key_value(name, settings))  # a vendor's settings field, or a key only a plugin names


def _link_findings(settings, use: tuple[str, str, str, str | None], day: date) -> list[Finding]:
    field, role, provider, model = use
    spec = registry.spec(provider)
    where = field.split(".")[0] + ".provider" if role not in ("publish", "quality") else field
    missing = [
        Finding(
            True,
            where,
            f"{provider} needs {key}: put it in the environment or .env "
            f"(or try `framecast make --sandbox` without keys)",
        )
        for key in (spec.keys if spec else ())
        if not _key_set(settings, key)
    ]
    return missing + _model_findings(field, role, provider, model, day)


def check(channel: ChannelConfig, settings, day: date, online: bool = False) -> list[Finding]:
    """Every problem and warning for a run of `channel` on `day`, problems first (`online`: also ask each
    provider whether its key is accepted, when nothing else already stops the run).

    In a fallback chain a link that cannot run is only a warning while a later one can: the run skips it
    before calling it. When no link can run, every link's problems are problems.
    """
    findings: list[Finding] = []
    for chain in _uses(channel):
        per_link = [_link_findings(settings, use, day) for use in chain]
        usable = [i for i, found in enumerate(per_link) if not any(f.problem for f in found)]
        for i, found in enumerate(per_link):
            if usable and len(chain) > 1:
                others = ", ".join(chain[j][2] for j in usable)
                found = [
                    f
                    if not f.problem
                    else Finding(
                        False, f.field, f"{f.message}; the run skips {chain[i][2]} (its chain can use {others})"
                    )
                    for f in found
                ]
            findings += [f for f in found if f not in findings]
    limit = channel.budget.max_usd_per_run
    if limit is not None:
        expected = sum(line.usd for line in estimate(channel))
        if expected > limit:
            findings.append(
                Finding(
                    True,
                    "budget.max_usd_per_run",
                    f"a run is estimated at ${expected:.2f}, over the ${limit:.2f} budget: raise "
                    f"the budget or choose cheaper providers (`framecast estimate`)",
                )
            )
    if online and not any(f.problem for f in findings):
        findings += _probe_findings(channel, settings, day)
    return sorted(findings, key=lambda f: not f.problem)


def _probe_findings(channel: ChannelConfig, settings, day: date) -> list[Finding]:
    """Keys refused by their provider, and the lifecycle the provider itself reports of each model used."""
    from framecast.plan.probes import probe

    findings: list[Finding] = []
    chains = _uses(channel)
    for provider in dict.fromkeys(use[2] for chain in chains for use in chain):
        models = tuple(dict.fromkeys(use[3] for chain in chains for use in chain if use[2] == provider and use[3]))
        result = probe(provider, settings, models) if provider != "local" else None
        if result is None:
            continue
        # Where a refusal stops the run: a use with no provider after it (else the run would skip this one).
        last_resort = [chain[-1] for chain in chains if chain[-1][2] == provider]
        named = last_resort[0] if last_resort else next(use for chain in chains for use in chain if use[2] == provider)
        where = named[0].replace(".model", ".provider")
        if result.refused:
            fix = (
                "obtain a new YOUTUBE_REFRESH_TOKEN (docs/stages.md, Publishing to YouTube)"
                if provider == "youtube"
                else "check the key in the environment or .env"
            )
            # Refused in a chain that has a later provider: the run skips it, so it is only a warning.
            findings.append(
                Finding(
                    bool(last_resort),
                    where,
                    f"{provider} refused the key at {result.endpoint}: {result.refused}; {fix}",
                )
            )
        elif result.unknown:
            findings.append(
                Finding(False, where, f"{provider}'s key could not be checked at {result.endpoint}: {result.unknown}")
            )
        for field, role, used, model in (use for chain in chains for use in chain if use[2] == provider):
            findings += reported(field, provider, model or "", result, day)
    return findings


def require(channel: ChannelConfig, settings, day: date, online: bool = False) -> list[Finding]:
    """Raise PreflightFailed listing every problem; return the warnings."""
    findings = check(channel, settings, day, online)
    problems = [f for f in findings if f.problem]
    if problems:
        listed = "\n".join(f"  - {f}" for f in findings)
        raise PreflightFailed(
            f"pre-flight for channel {channel.name} on {day}: {len(problems)} problem(s), nothing was spent:\n{listed}"
        )
    return findings


def command(args) -> int:
    """`framecast preflight --channel X [--date D]`: every finding, exit 1 if any would stop the run."""
    from framecast.plan.load import load_channel
    from framecast.settings import get_settings

    channel = load_channel(args.channel)
    day = args.date or date.today()
    findings = check(channel, get_settings(), day, online=not args.offline)
    for finding in findings:
        print(finding)
    problems = sum(f.problem for f in findings)
    print(
        f"pre-flight for channel {channel.name} on {day}: {problems} problem(s), {len(findings) - problems} warning(s)"
    )
    return 1 if problems else 0
