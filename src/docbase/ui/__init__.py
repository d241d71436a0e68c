"""docbase/ui: the web console (schema explorer, ER diagram, data browser) served beside /rest/v1."""

from .data import console_data
from .routes import console_routes

__all__ = ["console_data", "console_routes"]
