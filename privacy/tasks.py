"""The privacy app's Celery tasks, defined beside their services and imported
here so the worker's autodiscovery registers them."""

from privacy.services.export import export_build, exports_expire  # noqa: F401
from privacy.services.retention import retention_apply  # noqa: F401
