"""The CLI's money commands: the run's cost table, `framecast estimate` and `framecast costs`."""

from __future__ import annotations

import math
import re
import sys
from collections import defaultdict
from datetime import UTC, date

from framecast.cost.ledger import open_ledger
from framecast.cost.meter import ledger_url


def cost_table(console, run: str) -> None:
    """The same rows as the run's cost artifact in the Prefect UI, from the shared ledger."""
    from rich.table import Table

    from framecast import report
    from framecast.settings import get_settings

    rows = report.cost_rows(open_ledger(ledger_url(get_settings())).entries(run=run))
    table = Table(title="cost of this run (estimated list prices)")
    for column in ("stage", "provider", "model", "calls", "units", "USD"):
        table.add_column(column, justify="right" if column in ("calls", "units", "USD") else "left")
    for row in rows:
        table.add_row(row["stage"], row["provider"], row["model"], str(row["calls"]), row["units"], f"{row['usd']:.2f}")
    console.print(table)


def estimate(args) -> int:
    """Expected cost of one run of a channel, line by line, against its budget."""
    from framecast.core.errors import FramecastError
    from framecast.plan.cloud import with_cloud_providers
    from framecast.plan.estimate import estimate as lines_for
    from framecast.plan.load import load_channel

    try:
        channel = load_channel(args.channel)
    except FramecastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    channel = with_cloud_providers(channel) if args.cloud else channel
    lines = lines_for(channel)
    print(f"{'stage':<8} {'provider':<11} {'model':<24} {'units':>14} {'USD':>8}")
    for line in lines:
        print(
            f"{line.role:<8} {line.provider:<11} {line.model:<24} {f'{line.units:g} {line.unit}':>14} {line.usd:>8.2f}"
        )
    total = sum(line.usd for line in lines)
    b = channel.budget
    limits = [
        f"{v:.2f} per {what}"
        for v, what in ((b.max_usd_per_run, "run"), (b.max_usd_per_day, "day"), (b.max_usd_per_month, "month"))
        if v is not None
    ]
    print(
        f"{'total':<8} {'':<11} {'':<24} {'':>14} {total:>8.2f}" + (f"  (budget {', '.join(limits)})" if limits else "")
    )
    unpriced = [f"{line.provider}/{line.role}" for line in lines if line.unit == "unpriced"]
    if unpriced:
        print(f"no known price for {', '.join(unpriced)}: add budget.prices entries (a budgeted run refuses them)")
    if channel.tier and not args.cloud:
        _plan_table(load_channel(args.channel, planned=False))
    return 0


def _plan_table(channel) -> None:
    """The tier's plan: per stage the chosen provider first, then the alternatives, with ratings and cost."""
    from framecast.plan import planner

    result = planner.plan(channel)
    budget = f"${result.budget:.2f} a run" if result.budget is not None else "no budget"
    print(f"\nplan for tier {result.tier} ({budget}): ${result.usd:.2f} a run; paid stages fall back to local")
    print(f"{'stage':<8} {'provider':<11} {'model':<24} {'quality':>7} {'s/call':>7} {'USD/run':>8}  plan")
    for row in planner.table_rows(result):
        print(
            f"{row['stage']:<8} {row['provider']:<11} {row['model']:<24} {row['quality']:>7} "
            f"{row['seconds per call']:>7g} {row['usd per run']:>8.2f}  {row['plan']}"
        )


def costs(args) -> int:
    """What a channel (or every channel) spent in a month: per day and per stage, from the shared ledger."""
    from framecast.core.errors import FramecastError
    from framecast.settings import get_settings

    if getattr(args, "reconcile", None):
        return reconcile(args)
    month = args.month or date.today().strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        print(f"error: --month {month!r}: use YYYY-MM, e.g. --month 2026-12", file=sys.stderr)
        return 2
    try:
        ledger = open_ledger(ledger_url(get_settings()))
        billed = ledger.entries(channel=args.channel, month=month)
        open_ = ledger.entries(channel=args.channel, status=("reserved",))  # every month's: each counts until settled
    except FramecastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"costs of {args.channel or 'every channel'} in {month} ({ledger!r}), estimated list prices")
    by_day: dict[tuple[str, str], float] = defaultdict(float)
    by_stage: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0])
    for e in billed:
        by_day[(e["day"], e["channel"])] += e["usd"]
        stage = by_stage[(e["role"], e["provider"])]
        stage[0] += 1
        stage[1] += e["usd"]
    print(f"{'video day':<12} {'channel':<20} {'USD':>9}")  # the label; budgets count by when it was spent
    for (day, channel), usd in sorted(by_day.items()):
        print(f"{day:<12} {channel:<20} {usd:>9.2f}")
    print(f"\n{'stage':<12} {'provider':<20} {'calls':>6} {'USD':>9}")
    for (role, provider), (calls, usd) in sorted(by_stage.items()):
        print(f"{role:<12} {provider:<20} {calls:>6} {usd:>9.2f}")
    print(f"{'total':<12} {'':<20} {len(billed):>6} {sum(e['usd'] for e in billed):>9.2f}")
    if open_:
        show_reservations(open_)
    return 0


def show_reservations(rows: list[dict]) -> None:
    """Reservations not settled yet: each counts as spent until settled; past RESERVATION_TTL it is unconfirmed."""
    from framecast.cost.ledger import _now

    now = _now()
    print(
        f"\n{len(rows)} reserved call(s) not settled (${sum(e['usd'] for e in rows):.2f}), counted as spent in "
        "the day and month they were made until settled:"
    )
    print(
        f"{'id':<36} {'state':<11} {'reserved at (UTC)':<19} {'channel':<16} {'stage':<10} {'provider':<11} "
        f"{'USD':>8}  run"
    )
    states = []
    for e in rows:
        at, expires = (_utc(e["at"]), _utc(e["expires_at"]) if e["expires_at"] else None)
        states.append("unconfirmed" if expires is None or expires <= now else "running")
        state = states[-1]
        print(
            f"{e['id']:<36} {state:<11} {at:%Y-%m-%d %H:%M:%S} {e['channel']:<16} {e['role']:<10} "
            f"{e['provider']:<11} {e['usd']:>8.2f}  {e['run']}"
        )
    if "unconfirmed" in states:
        print(
            "unconfirmed: its worker died mid-call. Look the call up in the provider's billing, then settle it with "
            "`framecast costs --reconcile ID --billed USD` (it was charged) or `--released` (it was not)"
        )


def reconcile(args) -> int:
    """Settle one unconfirmed reservation (a unique id prefix is enough) as billed USD or as released."""
    from framecast.core.errors import FramecastError
    from framecast.cost.ledger import _now
    from framecast.settings import get_settings

    if (args.billed is None) == (not args.released):
        print(
            "error: --reconcile needs exactly one of --billed USD (what the provider charged) or --released "
            "(it charged nothing)",
            file=sys.stderr,
        )
        return 2
    if args.billed is not None and not (math.isfinite(args.billed) and args.billed >= 0):
        print(
            f"error: --billed {args.billed}: give the USD the provider charged, a number ≥ 0, e.g. 0.42",
            file=sys.stderr,
        )
        return 2
    if len(args.reconcile) < 8:
        print(
            f"error: --reconcile {args.reconcile!r}: give the reservation's id (at least its first 8 characters) "
            "as `framecast costs` lists it",
            file=sys.stderr,
        )
        return 2
    try:
        ledger = open_ledger(ledger_url(get_settings()))
        found = [e for e in ledger.entries(status=("reserved",)) if e["id"].startswith(args.reconcile)]
        if len(found) != 1:
            print(
                f"error: --reconcile {args.reconcile!r}: {'no' if not found else len(found)} unsettled reservations "
                "match; `framecast costs` lists them with their ids",
                file=sys.stderr,
            )
            return 2
        [row] = found
        if row["expires_at"] is not None and _utc(row["expires_at"]) > _now():
            print(
                f"error: --reconcile {row['id']}: still running (its worker may yet settle it); it is unconfirmed "
                f"from {_utc(row['expires_at']):%Y-%m-%d %H:%M:%S} UTC on, reconcile it then",
                file=sys.stderr,
            )
            return 2
        if not ledger.reconcile(row["id"], args.billed):
            print(f"error: --reconcile {row['id']}: it was settled meanwhile; nothing changed", file=sys.stderr)
            return 2
    except FramecastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    outcome = f"billed ${args.billed:.2f}" if args.billed is not None else "released (counts no more)"
    print(f"{row['id']} ({row['channel']} {row['role']} {row['provider']}, reserved ${row['usd']:.2f}): {outcome}")
    return 0


def _utc(moment):

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives back the UTC wall time
