"""SQL for the REST API: conditions, reads, writes, and the compiled-shape cache."""
