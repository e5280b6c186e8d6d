"""Interfaces for other programs: the CKAN action API and the OpenAPI document."""
