"""The ``portal`` command line: a thin layer over builder and search_api."""
