"""Who is asking: API tokens, the identity a request carries, and role checks."""
