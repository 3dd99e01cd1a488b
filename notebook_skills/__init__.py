"""notebook-skills: Agent Skills from GitHub for JupyterLab."""

__version__ = "0.1.0"


def _jupyter_server_extension_points():
    from .app import NotebookSkills

    return [{"module": "notebook_skills", "app": NotebookSkills}]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "notebook-skills"}]
