"""Web plumbing every feature may use: errors, headers, CSRF and sign-in, forms, sessions,
rate limits, log redaction, public words. Imports no feature."""
