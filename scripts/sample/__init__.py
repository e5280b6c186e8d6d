"""The sample catalogue of 云河市: one module per department, the places,
people, enterprises and facilities they share, and the shared writer;
``scripts/make_sample_catalog.py`` runs them.

Each ``ds_*`` function returns one dataset. Dates are chosen against
``common.TODAY`` so that every dataset but the deliberately overdue one is
current for its update frequency (vocabularies.yaml: max_age_days).
"""
