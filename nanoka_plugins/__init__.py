"""nanoka's built-in plugins.

Each module is an ordinary plugin that uses only the public hooks, exactly as
a third-party plugin would, so any of them can be disabled or replaced.
"""
