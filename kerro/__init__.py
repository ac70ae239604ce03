"""The composition root: settings, the `kerro` command and the factories that wire the parts."""
