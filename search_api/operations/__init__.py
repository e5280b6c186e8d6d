"""Authorised operation (授权运营, 000 §34–36; issue #16): the public filing
form and JSON API, the applicant's status page and feedback reports, the
reviewers' pages for the provider's first review and the authority's
decision, and the public register of authorisations."""
