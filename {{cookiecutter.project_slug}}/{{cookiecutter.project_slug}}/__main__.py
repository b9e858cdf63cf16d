"""`python -m {{ cookiecutter.project_slug }}` opens the window."""

from .app import main

main()
