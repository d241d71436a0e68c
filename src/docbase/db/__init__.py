"""The one database layer: every connection docbase opens, with one set of settings (:mod:`.connections`).

A leaf: it imports nothing of docbase but ``settings`` and ``dburl``, so every
stage (auth, storage, realtime, the API, the commands) may use it.
"""
