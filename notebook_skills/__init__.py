"""notebook-skills: Agent Skills from GitHub for JupyterLab."""

try:
    # written at build time from package.json, the one version source
    from ._version import __version__
except ImportError:  # a source tree that was never built
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("notebook-skills")
    except PackageNotFoundError:
        __version__ = "0.0.0+unknown"


def _jupyter_server_extension_points():
    from .app import NotebookSkills

    return [{"module": "notebook_skills", "app": NotebookSkills}]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "notebook-skills"}]
