"""Every 409 the server can send carries a machine `reason` (contract §4).

The frontend branches on it (only `locally_modified` offers "Overwrite local
changes?"), so a Conflict without one is a bug.  Two checks: every place in the
code that builds a Conflict (or a subclass) names a known reason, and the OS
error mapping gives each errno the reason it documents.
"""

from __future__ import annotations

import ast
import errno
import importlib
import pkgutil
from pathlib import Path

import pytest

import notebook_skills
from notebook_skills.errors import CONFLICT_REASONS, Conflict
from notebook_skills.oserrors import translate

PACKAGE = Path(notebook_skills.__file__).parent


def _modules():
    for info in pkgutil.walk_packages([str(PACKAGE)], "notebook_skills."):
        if ".labextension" in info.name:
            continue
        yield importlib.import_module(info.name)


def _conflict_classes() -> dict[str, type]:
    list(_modules())  # import everything, so every subclass is known
    found, todo = {}, [Conflict]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _reason_value(node: ast.expr, module) -> object:
    """The reason a call passes: a literal, or a constant named in the module
    (``CHANGED_ON_DISK``, ``errors.CHANGED_ON_DISK``)."""
    if isinstance(node, ast.Constant):
        return node.value
    dotted = []
    while isinstance(node, ast.Attribute):
        dotted.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return f"<expression {ast.unparse(node)}>"
    value = module
    for name in (node.id, *dotted):
        value = getattr(value, name, None)
        if value is None:
            return f"<unknown name {'.'.join((node.id, *dotted))}>"
    return value


def _conflict_calls():
    classes = _conflict_classes()
    for module in _modules():
        source = Path(module.__file__)
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in classes:
                yield module, source.relative_to(PACKAGE.parent), node, classes[name]


def test_the_scan_finds_the_known_raise_sites():
    sites = {(str(path), cls.__name__) for _, path, _, cls in _conflict_calls()}
    # a scan that silently found nothing would pass the test below
    assert ("notebook_skills/oserrors.py", "Conflict") in sites
    assert ("notebook_skills/skills/locks.py", "Conflict") in sites
    assert ("notebook_skills/skills/store.py", "UnsafeBookkeeping") in sites
    assert len(sites) >= 8


def test_every_conflict_names_a_known_reason():
    missing = []
    for module, path, node, cls in _conflict_calls():
        where = f"{path}:{node.lineno} {cls.__name__}(...)"
        passed = [k.value for k in node.keywords if k.arg == "reason"] or node.args[1:2]
        if passed:
            value = _reason_value(passed[0], module)
        else:
            value = cls("probe").reason  # a subclass may carry a default reason
        if value not in CONFLICT_REASONS:
            missing.append(f"{where}: reason {value!r}")
    assert not missing, "409 answers without a known reason:\n" + "\n".join(missing)


def test_reasons_are_the_errors_module_constants():
    """A reason is spelled once, in errors.py: no call passes a bare string and no other
    module defines its own copy (a typo there would be a reason no client knows)."""
    literal = [
        f"{path}:{node.lineno}"
        for _, path, node, _ in _conflict_calls()
        for k in node.keywords
        if k.arg == "reason" and isinstance(k.value, ast.Constant)
    ]
    assert not literal, "reason passed as a string literal, not an errors.py constant:\n" + "\n".join(literal)
    copies = []
    for module in _modules():
        if module.__name__ == "notebook_skills.errors":
            continue
        for node in ast.parse(Path(module.__file__).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value in CONFLICT_REASONS:
                copies.append(f"{module.__name__}:{node.lineno}")
    assert not copies, "409 reason defined outside errors.py:\n" + "\n".join(copies)


@pytest.mark.parametrize(
    "code, reason",
    [
        (errno.EROFS, "not_writable"),
        (errno.EACCES, "not_writable"),
        (errno.EPERM, "not_writable"),
        (errno.ELOOP, "not_writable"),
        (errno.EISDIR, "exists"),
        (errno.EEXIST, "changed_on_disk"),
        (errno.ENOTEMPTY, "changed_on_disk"),
        (errno.ENOENT, "changed_on_disk"),
        (errno.EBUSY, "busy"),
        (errno.ETXTBSY, "busy"),
    ],
)
def test_os_errors_map_to_a_reason(code, reason):
    err = translate(OSError(code, "x", "/nowhere/skills/notes/SKILL.md"))
    assert isinstance(err, Conflict) and err.reason == reason, (err, getattr(err, "reason", None))


def test_a_file_in_the_way_is_exists(tmp_path):
    blocker = tmp_path / "skills"
    blocker.write_text("not a folder")
    err = translate(OSError(errno.ENOTDIR, "Not a directory", str(blocker / "notes" / "SKILL.md")))
    assert err.reason == "exists" and f"'{blocker}' is a file where a folder is needed" in err.message
