"""Stage: Supabase Realtime (/realtime/v1): Phoenix channels with postgres_changes, broadcast and presence.

What other stages use:
- ``Realtime(schema, url, reader, secret, conventions, db)``: the shared state; ``.routes()`` to mount
  beside /rest/v1, ``.hub.close()`` on shutdown. ``reader`` is ``docbase.api.row_reader.RowReader``:
  every event is checked through /rest/v1's own read path.
"""

from .routes import Realtime

__all__ = ["Realtime"]
