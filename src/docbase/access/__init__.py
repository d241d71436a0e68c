"""Stage 4 consumer: who may read and write which rows and columns, decided from the model alone."""

from .model import AccessModel, Hop, Role, TableAccess, TenantRoot
from .overrides import AccessOverrides, load_overrides, parse_overrides
from .rules import DEFAULT_RULES
from .scope import build_access

__all__ = [
    "DEFAULT_RULES",
    "AccessModel",
    "AccessOverrides",
    "Hop",
    "Role",
    "TableAccess",
    "TenantRoot",
    "build_access",
    "load_overrides",
    "parse_overrides",
]
