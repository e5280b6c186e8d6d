"""Portal records as the dicts a stock CKAN 2.10 returns: packages, resources,
organizations, groups and tags, with every key CKAN clients read.

Portal records (``domain.catalogue.public_record``) hold dates; CKAN gives ISO datetimes without a zone
(``2026-11-15T00:00:00``), so dates become midnight. Resource ids are UUIDs
derived from the dataset id and file name (uuid5), so they stay the same from
one build to the next and from one worker to another.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.catalogue.model import OpenType
from domain.catalogue.public_record import CatalogEntry, PublicRecord, PublishedFile

# Our own namespace for uuid5 ids (a fixed random UUID: changing it would
# change every resource id harvesters have stored).
RESOURCE_NAMESPACE = uuid.UUID("6f1c2b4e-93a1-4f0e-9b59-2f0c6d8e7a51")
GROUP_CREATED = "2024-01-01T00:00:00"

FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "xls": "XLS", "xml": "XML",
                "zip": "ZIP", "pdf": "PDF", "geojson": "GeoJSON", "ttl": "RDF"}


def ckan_datetime(value: date | str | None) -> str | None:
    """A portal date (``2026-11-15``) or datetime as CKAN writes it."""
    if not value:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{text}T00:00:00" if len(text) == 10 else text


def resource_id(dataset_id: str, filename: str) -> str:
    """The stable UUID of one published file."""
    return str(uuid.uuid5(RESOURCE_NAMESPACE, f"{dataset_id}/{filename}"))


def _format(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return FORMAT_NAMES.get(extension, extension.upper())


def resource_dict(record: PublicRecord, download: PublishedFile, position: int,
                  absolute: Callable[[str], str]) -> dict[str, Any]:
    """One published file of ``record`` as a CKAN resource."""
    modified = ckan_datetime(record.last_updated)
    return {
        "id": resource_id(record.id, download.filename),
        "package_id": record.id,
        "name": download.filename,
        "description": download.label,
        "url": absolute(download.url),
        "url_type": None,
        "format": _format(download.filename),
        "mimetype": download.media_type,
        "mimetype_inner": None,
        "size": download.bytes,
        "hash": f"sha256:{download.sha256}" if download.sha256 else "",
        "position": position,
        "state": "active",
        "created": ckan_datetime(record.published) or modified,
        "last_modified": modified,
        "metadata_modified": modified,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": False,
    }


def _group(code: str, title: str, count: int | None, organization: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": code, "name": code, "title": title, "display_name": title,
        "description": "", "image_url": "", "image_display_url": "",
        "created": GROUP_CREATED, "type": "organization" if organization else "group",
        "is_organization": organization, "approval_status": "approved", "state": "active",
    }
    if count is not None:
        found["package_count"] = count
    return found


def organization_dict(code: str, title: str, count: int | None = None) -> dict[str, Any]:
    """A department as a CKAN organization."""
    return _group(code, title, count, organization=True)


def group_dict(code: str, title: str, count: int | None = None) -> dict[str, Any]:
    """A theme as a CKAN group."""
    return _group(code, title, count, organization=False)


def tag_dict(name: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(RESOURCE_NAMESPACE, f"tag/{name}")), "name": name,
            "display_name": name, "state": "active", "vocabulary_id": None}


def package_dict(entry: CatalogEntry, absolute: Callable[[str], str]) -> dict[str, Any]:
    """A portal record and its files as a CKAN package, with every key of a
    stock CKAN 2.10 package_show (and the portal's own fields as extras)."""
    record = entry.record
    resources = [resource_dict(record, d, position, absolute)
                 for position, d in enumerate(entry.downloads)]
    extras = [{"key": key, "value": value} for key, value in (
        ("open_type", record.open_type.value), ("open_type_name", record.open_type_name),
        ("update_frequency", record.update_frequency),
        ("update_frequency_name", record.update_frequency_name),
        ("freshness", record.freshness.value), ("region", record.region),
        ("region_name", record.region_name), ("open_conditions", record.open_conditions),
        ("legal_basis", record.legal_basis), ("status", record.status.value))]
    if record.temporal:  # the extras ckanext-dcat uses for dct:temporal
        end = record.temporal.end
        extras += [{"key": "temporal_start", "value": record.temporal.start.isoformat()},
                   {"key": "temporal_end", "value": end.isoformat() if end else ""}]
    keywords = list(record.keywords)
    return {
        "id": record.id, "name": record.id, "title": record.title,
        "notes": record.summary, "type": "dataset", "state": "active",
        "private": False, "version": "",
        "url": absolute(record.url),
        "author": record.department_name, "author_email": "",
        "maintainer": record.contact.name, "maintainer_email": record.contact.email,
        "metadata_created": ckan_datetime(record.published)
        or ckan_datetime(record.last_updated),
        "metadata_modified": ckan_datetime(record.last_updated)
        or ckan_datetime(record.published),
        "license_id": record.licence_id,
        "license_title": record.licence,
        "license_url": record.licence_url,
        # Open in the Open Definition's sense: anyone may download and reuse it.
        "isopen": record.open_type is OpenType.UNCONDITIONAL and record.data_public,
        "creator_user_id": None,
        "organization": organization_dict(record.department, record.department_name),
        "owner_org": record.department,
        "groups": [group_dict(record.theme, record.theme_name)],
        "tags": [tag_dict(k) for k in keywords],
        "num_tags": len(keywords),
        "resources": resources, "num_resources": len(resources),
        "extras": extras,
        "relationships_as_object": [], "relationships_as_subject": [],
    }
