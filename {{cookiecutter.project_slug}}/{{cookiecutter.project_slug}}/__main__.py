{%- if cookiecutter.include_all_patterns -%}
"""`python -m {{ cookiecutter.project_slug }} [--pattern NAME]` opens the window, its tasks run by the pattern named."""

import argparse

from {{ cookiecutter.project_slug }}.app import main
from {{ cookiecutter.project_slug }}.runner import Runner
from {{ cookiecutter.project_slug }}.runners import RUNNERS

parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.project_slug }}", description="Open the window.")
parser.add_argument(
    "--pattern", choices=RUNNERS, default=Runner.pattern, help="how Tk and asyncio meet (default: %(default)s)"
)
main(RUNNERS[parser.parse_args().pattern])
{%- else -%}
"""`python -m {{ cookiecutter.project_slug }}` opens the window."""

from {{ cookiecutter.project_slug }}.app import main

main()
{%- endif %}
