"""Gettext catalogs (fi, sv, en) with English msgids; data only."""
