"""Everything staff touch: the staff API under /api/v1 (issue by issue), health."""
