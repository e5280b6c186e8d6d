"""Procedures on the clock: the kit shared by every kind of case, conditional-open
requests with third-party consultation, error reports and public participation."""
