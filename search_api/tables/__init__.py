"""The row store of the data API: published CSV tables loaded into SQLite with
typed, indexed columns (open tables from the site, keyed conditional tables
from the catalogue), and the row query language. Imports nothing of the
service, so the open API, the keyed API and the sandbox share it."""
