"""Periods and the law's clock: the working-day calendar, counting in working days,
the jurisdiction profiles and their articles."""
