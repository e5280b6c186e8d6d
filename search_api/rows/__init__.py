"""The data API (数据接口): rows of every tabular resource, filtered, sorted
and paged, in JSON or CSV — of unconditional datasets for everyone (``api``),
and of an approved conditional dataset for the holder of its API key
(``keyed``). The rows themselves are kept by :mod:`search_api.tables`.
"""
