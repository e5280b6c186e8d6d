"""Public participation: demands, suggestions, the reuse showcase and moderation."""
