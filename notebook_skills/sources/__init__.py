"""Skill sources: finding skills in a repository or folder, and reading Claude
Code plugin marketplaces (contract §7).

Pure domain code (no tornado, no network): callers hand it extracted folders
and raw bytes; the GitHub-facing orchestration lives in ``skills/``.
"""
