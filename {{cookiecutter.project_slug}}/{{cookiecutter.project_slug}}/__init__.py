"""{{ cookiecutter.project_slug }}: a tkinter window with asyncio work behind it ({{ cookiecutter.async_pattern }} pattern)."""

__version__ = {{ cookiecutter.version | py_string }}
