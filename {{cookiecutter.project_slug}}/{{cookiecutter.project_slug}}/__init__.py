"""{{ cookiecutter.project_slug }}: a tkinter window with asyncio work behind it.

Pattern: {{ cookiecutter.async_pattern }}{% if cookiecutter.include_all_patterns %} by default; all five are in runners/{% endif %}.
"""

__version__ = {{ cookiecutter.version | py_string }}
