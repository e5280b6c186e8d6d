"""Statistics: downloads counted without personal data and yearly figures."""
