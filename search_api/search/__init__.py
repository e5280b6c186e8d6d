"""Full-text search: the search API, the indexer and the label store."""
