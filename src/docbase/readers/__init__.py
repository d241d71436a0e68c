"""Stage 2: one module per notation, each turning blocks into fragments."""

from .base import Reading
from .registry import read_block, read_document

__all__ = ["Reading", "read_block", "read_document"]
