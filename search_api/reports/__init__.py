"""Data error reports and catalogue corrections: forms, API and their e-mails."""
