"""The one way a paid call is accounted: reserve under the budgets, call, then bill or release."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from framecast.core.errors import BudgetExceeded, ProviderError
from framecast.cost import pricing
from framecast.cost.budget import BudgetConfig
from framecast.cost.ledger import Ledger, Spent, default_url, open_ledger
from framecast.providers.chain import FallbackMemory


@dataclass
class Charge:
    """What a paid call bills: the estimate until the caller knows better (e.g. from the response)."""

    units: float
    unit: str
    model: str = ""
    # What the provider's response says the call cost (e.g. priced from its token usage); None: units × the list
    # price. A channel's budget.prices entry for the pair still wins over it.
    usd: float | None = None
    billed: bool = False
    _settle: object = field(default=None, repr=False)

    def accepted(self, key: str | None = None) -> bool:
        """The provider accepted (and will bill) the call: record it now, once per `key` (e.g. its job id).

        Money is spent from here on even if what follows fails, so it is never released after this.
        Returns False when `key` was already billed (a resumed job): nothing new is recorded.
        """
        if self.billed:
            return True
        self.billed = True
        return self._settle(self, key)


@dataclass(frozen=True)
class Meter:
    """What a run's paid calls are accounted against, passed to every stage that may pay.

    `run` is "channel/day/flow-run-id"; `day` is the video's (YYYY-MM-DD), a label; limits come from `budget`,
    the day and month ones by when the money is spent, in the channel's `timezone`.
    """

    ledger: Ledger
    run: str
    channel: str
    day: str
    budget: BudgetConfig = BudgetConfig()
    timezone: str = "UTC"
    # Providers found unusable during this run (quota, credentials), so later scenes go straight to the next one.
    fallbacks: FallbackMemory = field(default_factory=FallbackMemory, compare=False, repr=False)

    @property
    def run_day(self) -> date:
        return date.fromisoformat(self.day)

    @classmethod
    def open(
        cls, url: str, *, run: str, channel: str, day: str, budget: BudgetConfig | None = None, timezone: str = "UTC"
    ) -> Meter:
        return cls(
            ledger=open_ledger(url),
            run=run,
            channel=channel,
            day=day,
            budget=budget or BudgetConfig(),
            timezone=timezone,
        )

    @contextmanager
    def charge(self, *, provider: str, role: str, units: float, unit: str, model: str = "") -> Iterator[Charge]:
        """Reserve the call's estimate (refused over a budget), then bill what it cost, or release it if it failed
        before the provider accepted it (`Charge.accepted`); the one place for reserve → call → settle."""
        prices = self.budget.prices
        if self.budget.limited:
            pricing.require_price(provider, role, prices, model)
        units = pricing.checked_units(provider, role, units)  # an estimate that is no number reserves nothing
        estimate = pricing.cost(provider, role, units, prices, model)
        charge_id = self.ledger.reserve(
            run=self.run,
            channel=self.channel,
            day=self.day,
            provider=provider,
            role=role,
            model=model,
            units=units,
            unit=unit,
            usd=estimate,
            check=lambda spent: self._check(spent, provider, role, estimate),
            tz=self.timezone,
        )

        def settle(bill: Charge, key: str | None) -> bool:
            # What the provider reported is checked here, once for every provider; nonsense bills the estimate.
            bill.units = pricing.checked_units(provider, role, bill.units, fallback=units)
            usd = pricing.cost(provider, role, bill.units, prices, bill.model or model)
            reported = pricing.reported_usd(provider, role, bill.usd, prices)
            return self.ledger.bill(
                charge_id,
                units=bill.units,
                unit=bill.unit,
                model=bill.model,
                usd=usd if reported is None else reported,
                key=key,
            )

        bill = Charge(units=units, unit=unit, model=model, _settle=settle)
        try:
            yield bill
        except BaseException as exc:
            if not bill.billed:
                self.ledger.release(charge_id)
            if isinstance(exc, ProviderError) and not exc.stage and exc.args:
                exc.stage = role  # the failure message says which stage of the video it hit
                exc.args = (f"{role}: {exc.args[0]}", *exc.args[1:])
            raise
        bill.accepted()

    def refund(self, key: str) -> bool:
        """A job billed under `key` that the provider failed or cancelled, and so does not bill."""
        return self.ledger.refund(key)

    def spent(self) -> Spent:
        return self.ledger.spent(run=self.run, channel=self.channel, tz=self.timezone)

    def entries(self) -> list[dict]:
        """This run's billed calls, oldest first."""
        return self.ledger.entries(run=self.run)

    def _check(self, spent: Spent, provider: str, role: str, estimate: float) -> None:
        if estimate <= 0:
            return
        b = self.budget
        for name, limit, so_far, scope in (
            ("max_usd_per_run", b.max_usd_per_run, spent.run, "the run"),
            ("max_usd_per_day", b.max_usd_per_day, spent.day, f"{spent.on}"),
            ("max_usd_per_month", b.max_usd_per_month, spent.month, spent.on[:7]),
        ):
            if limit is not None and so_far + estimate > limit + 1e-9:
                stale = (
                    (
                        f"; ${spent.unconfirmed:.2f} of this month's are reservations of killed workers: "
                        "`framecast costs` lists them, `--reconcile ID` settles one"
                    )
                    if spent.unconfirmed
                    else ""
                )
                raise BudgetExceeded(
                    f"budget: this {provider} {role} call (~${estimate:.2f}) would take {scope} of channel "
                    f"{self.channel} to ${so_far + estimate:.2f}, over budget.{name} ${limit:.2f} (billed and "
                    f"reserved so far: ${so_far:.2f}{stale}); raise the limit in the channel file or use cheaper "
                    "providers",
                    provider=provider,
                )


def ledger_url(settings) -> str:
    """FRAMECAST_LEDGER_URL, or the SQLite file in the data folder."""
    return settings.ledger_url.get_secret_value() if settings.ledger_url else default_url(settings.data_dir)
