"""The data API of open tables (数据接口): rows of every tabular resource of
an unconditional dataset, filtered, sorted and paged, in JSON or CSV.

``store`` keeps the rows in SQLite (built by ``portal index`` from the
published site, so only files the static site already publishes are served);
``query`` reads the request's parameters into a ``RowQuery``; ``api`` is the
HTTP face.
"""
