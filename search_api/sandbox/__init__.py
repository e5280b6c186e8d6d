"""The data sandbox (数据沙箱, 002 §36; 003 §35 a safe, controlled
environment): ``POST /api/v1/sandbox/query`` runs a read-only SQL query of an
approved applicant's key against the approved tables and fields only
(:mod:`~search_api.sandbox.guard` checks it, :mod:`~search_api.sandbox.runner`
runs it, :mod:`~search_api.sandbox.api` is the HTTP face)."""
