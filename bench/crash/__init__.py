"""Crash benchmark of the request service: no acknowledged write is lost
(issue #6). Run ``python -m bench.crash.run``; see :mod:`bench.crash.run`."""
