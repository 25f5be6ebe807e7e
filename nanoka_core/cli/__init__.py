"""The commands (`nanoka generate`, `check`, `status`, `init`, ...): the top layer, on click.

Knows every layer below; the layers below must not import it (only the entry points do).
"""
