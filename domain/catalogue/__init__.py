"""The catalogue: the model, vocabularies, publication rules, the error catalogue,
the personal-data gate, freshness and quality."""
