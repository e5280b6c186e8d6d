"""Search results rendered by the service, for readers without JavaScript.

The static search page (``/search/``) asks ``/api/v1/search`` from the
browser; its form submits here (``/find``) when scripts do not run, and this
page shows the same results, facets and paging as plain links.
"""
