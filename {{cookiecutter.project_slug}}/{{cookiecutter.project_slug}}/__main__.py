{% if cookiecutter.include_all_patterns %}
"""`python -m {{ cookiecutter.project_slug }} [--pattern NAME]` opens your window (app.py), its tasks run by the pattern named."""

import argparse
import multiprocessing

from {{ cookiecutter.project_slug }}.app import main
from {{ cookiecutter.project_slug }}.engine import RUNNERS, Runner

# Guarded: an in_process() worker (spawn) may import this module again, and must not open a window.
if __name__ == "__main__":
    multiprocessing.freeze_support()  # first: in a standalone (PyInstaller) build, a worker starts here
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.project_slug }}", description="Open the window.")
    parser.add_argument(
        "--pattern", choices=RUNNERS, default=Runner.pattern, help="how Tk and asyncio meet (default: %(default)s)"
    )
    main(RUNNERS[parser.parse_args().pattern])
{% else %}
"""`python -m {{ cookiecutter.project_slug }}` opens your window (app.py)."""

import multiprocessing

from {{ cookiecutter.project_slug }}.app import main

# Guarded: an in_process() worker (spawn) may import this module again, and must not open a window.
if __name__ == "__main__":
    multiprocessing.freeze_support()  # first: in a standalone (PyInstaller) build, a worker starts here
    main()
{% endif %}
