"""content_sha256 (contract §3)."""

import hashlib
import os

import pytest

from notebook_skills.skills.hashing import content_sha256

SKILL = "---\nname: demo\ndescription: d\n---\nbody\n"


@pytest.fixture
def bundle(tmp_path):
    root = tmp_path / "demo"
    (root / "scripts" / "deep").mkdir(parents=True)
    (root / "SKILL.md").write_text(SKILL)
    (root / "scripts" / "run.py").write_bytes(b"print('hi')\n")
    (root / "scripts" / "deep" / "data.bin").write_bytes(bytes(range(256)))
    (root / "B.md").write_bytes(b"upper sorts first\n")
    return root


def test_matches_the_contract_formula(bundle):
    files = ["B.md", "SKILL.md", "scripts/deep/data.bin", "scripts/run.py"]  # code-point order
    h = hashlib.sha256()
    for rel in files:
        h.update(f"{rel}\0{hashlib.sha256((bundle / rel).read_bytes()).hexdigest()}\n".encode())
    assert content_sha256(bundle) == h.hexdigest()


def test_product_keys_do_not_count(bundle):
    before = content_sha256(bundle)
    (bundle / "SKILL.md").write_text(
        "---\nname: demo\ndescription: d\nsource: https://github.com/o/r/tree/main/demo\n"
        "tracks_upstream: true\ntracking_ref: " + "a" * 40 + "\n---\nbody\n"
    )
    assert content_sha256(bundle) == before
    (bundle / "SKILL.md").write_text(SKILL.replace("description: d", "description: e"))
    assert content_sha256(bundle) != before


def test_symlinks_ignored(bundle, tmp_path):
    before = content_sha256(bundle)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("x")
    os.symlink(outside, bundle / "linked-dir")
    os.symlink(outside / "secret", bundle / "linked-file")
    assert content_sha256(bundle) == before


def test_any_byte_change_in_any_file_changes_it(bundle):
    seen = {content_sha256(bundle)}
    for rel in ["SKILL.md", "B.md", "scripts/run.py", "scripts/deep/data.bin"]:
        path = bundle / rel
        original = path.read_bytes()
        for i in (0, len(original) // 2, len(original) - 1):
            changed = bytearray(original)
            changed[i] ^= 0x01
            path.write_bytes(bytes(changed))
            seen.add(content_sha256(bundle))
        path.write_bytes(original)
    assert len(seen) == 1 + 4 * 3
    assert content_sha256(bundle) in seen


def test_renames_and_new_files_change_it(bundle):
    before = content_sha256(bundle)
    (bundle / "scripts" / "run.py").rename(bundle / "scripts" / "run2.py")
    renamed = content_sha256(bundle)
    (bundle / "empty.txt").write_bytes(b"")
    assert len({before, renamed, content_sha256(bundle)}) == 3


def test_invalid_skill_md_is_hashed_raw(bundle):
    (bundle / "SKILL.md").write_bytes(b"---\nunterminated\n\xff")
    assert len(content_sha256(bundle)) == 64
