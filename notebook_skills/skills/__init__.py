"""The domain core: skills on disk, their frontmatter, names and checksums.

No tornado here; the HTTP layer maps `notebook_skills.errors` to status codes.
"""
