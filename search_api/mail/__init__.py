"""Outgoing mail: the outbox sender, reminders, supervision and the daily digest."""
