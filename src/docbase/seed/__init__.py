"""Stage 4 consumer: realistic rows for every table, satisfying every constraint the model states.

``seed_database(schema, url, rows, tenants, seed)`` plans the order (parents
first, cycles broken at nullable keys), spreads rows over tenants through
their memberships, generates values from pooled Faker data matched to
column names and types, and bulk-writes them (executemany on SQLite, COPY
on PostgreSQL) with foreign keys enforced by the database.
"""

from .plan import SeedError, make_plan
from .run import SeedReport, seed_database

__all__ = ["SeedError", "SeedReport", "make_plan", "seed_database"]
