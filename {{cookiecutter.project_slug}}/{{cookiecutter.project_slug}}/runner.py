{#- Kept only when every pattern is baked in; otherwise post_gen_project.py puts the chosen runner here. -#}
"""The pattern the app starts with ({{ cookiecutter.async_pattern }}); `--pattern NAME` picks another from `runners/`."""

from .runners.{{ cookiecutter.async_pattern | replace("-", "_") }} import Runner

__all__ = ["Runner"]
