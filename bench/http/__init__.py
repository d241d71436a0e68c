"""Driving HTTP servers from the benchmark: processes, ports, memory, and wrk."""
