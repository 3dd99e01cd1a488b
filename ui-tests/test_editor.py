"""Skill files in JupyterLab's own file editor through the `skills:` contents drive:
save, the stale-save conflict, the dirty-close prompt, tab restore after a reload, and a
SKILL.md save whose product keys the server put back."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from ui import import_skill, open_skills_panel, row, toast

PLOT = "skills/plot-style"
FILE_PUT = re.compile(r"/notebook-skills/skills/user/plot-style/files\?path=SKILL\.md")
DIRTY = re.compile(r"\bjp-mod-dirty\b")


def _tab(page, label: str):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab").filter(has_text=label)


def _open_in_editor(page, name: str = "plot-style", path: str = "SKILL.md"):
    page.evaluate(
        "([name, path]) => window.jupyterapp.commands.execute("
        "'notebook-skills:open-file', {scope: 'user', name, path})",
        [name, path],
    )
    editor = page.locator(".jp-FileEditor .cm-content")
    expect(editor).to_contain_text(f"name: {name}")
    return editor


def _type_at_end(page, editor, text: str) -> None:
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_edit_skill_md_in_the_file_editor_and_save(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", PLOT, track=False)
    page = open_page(lab)
    panel = open_skills_panel(page)
    row(panel, "plot-style").locator(".jp-skills-row-name").click()
    detail = page.locator(".jp-skills-detail-panel")
    detail.get_by_role("button", name="Edit SKILL.md").click()
    editor = page.locator(".jp-FileEditor .cm-content")
    expect(editor).to_contain_text("name: plot-style")
    tab = _tab(page, "SKILL.md")
    expect(tab).to_have_attribute("title", re.compile(r"skills:user/plot-style/SKILL\.md"))
    expect(tab).not_to_have_class(DIRTY)
    # the panel highlights the skill whose file is active
    expect(row(panel, "plot-style")).to_have_class(re.compile(r"\bjp-mod-current\b"))

    _type_at_end(page, editor, "\nUse the house style for every chart.")
    expect(tab).to_have_class(DIRTY)
    with page.expect_response(lambda r: r.request.method == "PUT" and FILE_PUT.search(r.url)) as resp:
        page.keyboard.press("Control+s")
    assert resp.value.status == 200
    assert resp.value.request.post_data_json["hash"], "the save carries the hash it last read"
    expect(tab).not_to_have_class(DIRTY)
    text = (lab.user_skills / "plot-style" / "SKILL.md").read_text()
    assert text.rstrip().endswith("Use the house style for every chart."), text[-200:]
    assert text.startswith("---\nname: plot-style")
    # undo is the editor's own
    page.keyboard.press("Control+z")
    expect(tab).to_have_class(DIRTY)


def test_file_changed_on_disk_gets_the_conflict_prompt_and_keeps_the_disk_version(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", PLOT, track=False)
    page = open_page(lab)
    editor = _open_in_editor(page)
    skill_md = lab.user_skills / "plot-style" / "SKILL.md"
    from_terminal = skill_md.read_text() + "Edited in a terminal.\n"
    skill_md.write_text(from_terminal)

    puts = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" and "/files" in r.url else None)
    _type_at_end(page, editor, "\nTyped in the stale editor.")
    page.keyboard.press("Control+s")
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_text("File Changed")).to_be_visible()
    expect(dialog).to_contain_text("has changed on disk")
    dialog.get_by_role("button", name="Revert").click()
    expect(dialog).to_have_count(0)
    expect(editor).to_contain_text("Edited in a terminal.")
    expect(editor).not_to_contain_text("Typed in the stale editor.")
    expect(_tab(page, "SKILL.md")).not_to_have_class(DIRTY)
    assert skill_md.read_text() == from_terminal
    assert puts == []


def test_closing_a_dirty_editor_asks_first(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", PLOT, track=False)
    page = open_page(lab)
    editor = _open_in_editor(page)
    skill_md = lab.user_skills / "plot-style" / "SKILL.md"
    before = skill_md.read_text()
    _type_at_end(page, editor, "\nNot saved yet.")
    tab = _tab(page, "SKILL.md")
    expect(tab).to_have_class(DIRTY)

    tab.locator(".lm-TabBar-tabCloseIcon").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog.get_by_text("Save your work")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(tab).to_be_visible()
    expect(tab).to_have_class(DIRTY)
    expect(editor).to_contain_text("Not saved yet.")

    tab.locator(".lm-TabBar-tabCloseIcon").click()
    dialog.get_by_role("button", name="Discard changes to file").click()
    expect(tab).to_have_count(0)
    assert skill_md.read_text() == before


def test_editor_and_detail_tabs_come_back_after_a_reload(open_page, state, fake):
    lab = state
    import_skill(lab, "acme/data-skills", PLOT, track=False)
    page = open_page(lab)
    panel = open_skills_panel(page)
    row(panel, "plot-style").locator(".jp-skills-row-name").click()
    expect(page.locator(".jp-skills-detail-panel h2")).to_have_text("plot-style")
    with page.expect_response(lambda r: "/lab/api/workspaces" in r.url and r.request.method == "PUT"):
        _open_in_editor(page)
    # the layout is saved: wait for the saved workspace to list the editor tab
    page.wait_for_function(
        """async () => {
            const r = await fetch('/lab/api/workspaces/default', {headers: {Authorization: 'token %s'}});
            const ws = await r.json();
            return JSON.stringify(ws.data || {}).includes('skills:user/plot-style/SKILL.md');
        }""" % lab.token,
        polling=250,
    )
    page.goto(lab.lab_url)
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    expect(page.locator(".jp-FileEditor .cm-content")).to_contain_text("name: plot-style")
    expect(_tab(page, "SKILL.md")).to_be_visible()
    expect(_tab(page, "plot-style")).to_be_visible()


def test_a_save_the_server_stamped_differently_shows_the_file_on_disk(open_page, state, fake):
    lab = state
    recorded = import_skill(lab, "acme/data-skills", PLOT)["tracking_ref"]
    skill_md = lab.user_skills / "plot-style" / "SKILL.md"
    page = open_page(lab)
    editor = _open_in_editor(page)
    # hand-edit a key the product owns: roll tracking_ref back to another commit
    editor.locator(".cm-line").filter(has_text=f"tracking_ref: {recorded}").click()
    page.keyboard.press("End")
    for _ in range(len(recorded)):
        page.keyboard.press("Backspace")
    page.keyboard.type("b" * 40)
    expect(editor).to_contain_text("tracking_ref: " + "b" * 40)
    tab = _tab(page, "SKILL.md")
    expect(tab).to_have_class(DIRTY)
    with page.expect_response(lambda r: r.request.method == "PUT" and FILE_PUT.search(r.url)) as resp:
        page.keyboard.press("Control+s")
    assert resp.value.status == 200
    # the server kept the recorded commit, and the editor shows what is on disk
    expect(editor).to_contain_text(f"tracking_ref: {recorded}")
    expect(editor).not_to_contain_text("b" * 40)
    expect(tab).not_to_have_class(DIRTY)
    expect(toast(page, "keeps the source and tracking keys")).to_be_visible()
    assert f"tracking_ref: {recorded}\n" in skill_md.read_text()
    assert "b" * 40 not in skill_md.read_text()
    # editor and disk agree again: the next save goes through without a conflict prompt
    _type_at_end(page, editor, "\nKeep charts simple.")
    with page.expect_response(lambda r: r.request.method == "PUT" and FILE_PUT.search(r.url)) as resp:
        page.keyboard.press("Control+s")
    assert resp.value.status == 200
    expect(tab).not_to_have_class(DIRTY)
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    assert skill_md.read_text().rstrip().endswith("Keep charts simple.")
