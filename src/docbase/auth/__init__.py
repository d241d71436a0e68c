"""Stage: Supabase-compatible auth (/auth/v1) and the API keys that go with it."""
