"""{{ cookiecutter.project_slug }}: a tkinter window with asyncio work behind it.

Yours to change: app.py (the window) and tasks.py (the coroutines it runs).
The engine/ folder runs them; import what you need from `{{ cookiecutter.project_slug }}.engine`.
"""

__version__ = {{ cookiecutter.version | py_string }}
