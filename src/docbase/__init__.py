"""docbase: a database design document in, a running backend out."""

__version__ = "0.1.0"
