"""The public register: counts of requests per department and dataset, and
approved usage reports (000 §36(四), 002 §36). No personal data."""
