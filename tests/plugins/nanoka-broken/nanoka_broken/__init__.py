"""A plugin that fails to import: nanoka must warn and carry on without it."""

raise RuntimeError("this plugin is broken on purpose")
