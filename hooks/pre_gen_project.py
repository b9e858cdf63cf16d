"""Refuse answers that would bake a broken project, with one clear line.

cookiecutter runs this file before it writes any file. The answers are
judged by `problem_with` in local_extensions.py (the same check copier.yml
uses), while cookiecutter renders this file; the verdict arrives here as JSON
data, never as Python source, whatever quotes or braces the answers hold.
On a refusal the message goes to stderr, the exit status is 1, and
cookiecutter removes the folder it had just created.
"""

import json
import sys

PROBLEMS = json.loads(
    r"""
{{ cookiecutter | answer_problems | tojson }}
"""
)

if __name__ == "__main__":
    if PROBLEMS:
        print(f"ERROR: {PROBLEMS[0]}", file=sys.stderr)
        sys.exit(1)
