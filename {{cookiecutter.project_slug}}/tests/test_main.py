"""`python -m {{ cookiecutter.project_slug }}` as a user runs it: open, start tasks, close; nothing on stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

# Runs the real entry point, with the App patched to click its buttons and
# then close itself the way the window manager's close button does.
DRIVER = textwrap.dedent(
    """
    import runpy
    from {{ cookiecutter.project_slug }} import app

    build = app.App.__init__

    def build_and_drive(self, root, runner=None):
        build(self, root, runner)
        root.after(300, self.run_ten_button.invoke)
        root.after(350, self.run_button.invoke)
        root.after(400, self.fail_button.invoke)
        root.after(450, lambda: root.tk.call(root.protocol("WM_DELETE_WINDOW")))

    app.App.__init__ = build_and_drive
    runpy.run_module("{{ cookiecutter.project_slug }}", run_name="__main__")
    """
)


def test_python_m_opens_and_closes_cleanly_with_tasks_in_flight():
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", DRIVER],
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert elapsed < 30
