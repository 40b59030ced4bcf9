"""What framecast spends: list prices, estimates before a run, the shared ledger and the budgets it enforces."""
