"""Repositories: every SQL statement of Kerro lives in this package.

Functions take the session and keyword-only arguments; none of them commits. The caller owns
the transaction (one per inbound update or API request).
"""
