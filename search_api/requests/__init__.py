"""Conditional-open requests (有条件开放申请): forms, the JSON API, review,
third-party consultation and delivery of approved data."""
