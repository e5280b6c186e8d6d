"""Catalogue governance in the service (issue #16): the review queue of
proposed catalogue entries (:mod:`.store`, :mod:`.views`), the approved
hashes ``portal build`` asks for, and the yearly full-review reminders
(:mod:`.reminders`). The rules are :mod:`domain.catalogue.governance`."""
