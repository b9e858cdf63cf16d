"""Bindings the engine makes on the app's widgets, on a bindtag of its own, so that the app's bindings stay untouched.

Why a private bindtag: `widget.bind(sequence, fn, add="+")` adds a line to
the widget's one script for that sequence, and on Python 3.11
`widget.unbind(sequence, funcid)` removes the whole script, the app's own
lines with it. Here every binding gets a tag nobody else uses, bound with
`bind_class` and put first in the widget's bindtags; removing it takes the
tag out of the bindtags again and unbinds the tag, and nothing the app
bound (on the widget, its class, its toplevel or "all") is touched. First,
so that an app binding that returns "break" cannot hide an event from it.

A bindtag only sees the events of the widgets that carry it: this one, not
its children (a `<Key>` on a toplevel's Entry goes through the Entry's own
tags and its toplevel's path, not the toplevel's private tag).

Everything here is for the Tk thread only.
"""

from __future__ import annotations

import contextlib
import itertools
import tkinter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tkinter.Event takes no type argument at run time
    from typing import TypeAlias

    #: What `bind_class` calls: tkinter hands it the event it built from Tk's substitutions.
    EventCallback: TypeAlias = Callable[[tkinter.Event[tkinter.Misc]], object]

_serials = itertools.count(1)


class PrivateBinding:
    """Callbacks bound on a tag of their own, first in one widget's bindtags; `remove()` undoes it all.

    Raises `tkinter.TclError` if Tk refuses a sequence or the widget is gone,
    having undone whatever it had done already.
    """

    def __init__(self, widget: tkinter.Misc, purpose: str, callbacks: Mapping[str, EventCallback]) -> None:
        self.widget = widget
        self.tag = f"{purpose}#{next(_serials)}"
        # bind_class registers its callbacks on the root, which deletes them when it is destroyed: so must remove().
        self._root: tkinter.Misc = widget.nametowidget(".")
        self._sequences: list[str] = []
        self._funcids: list[str] = []
        self._bound = True
        try:
            for sequence, callback in callbacks.items():
                self._funcids.append(self._root.bind_class(self.tag, sequence, callback))
                self._sequences.append(sequence)
            widget.bindtags((self.tag, *widget.bindtags()))  # raises once the widget is destroyed
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        """Take the tag out of the widget's bindtags, unbind it and free its callbacks; a second call does nothing.

        The widget's bindtags are read again rather than restored from a copy,
        so that a change the app made to them meanwhile stays. A widget
        destroyed meanwhile took its bindtags with it; a root destroyed
        meanwhile, the callbacks too.
        """
        if not self._bound:
            return
        self._bound = False
        with contextlib.suppress(tkinter.TclError):  # the widget is gone, and its bindtags with it
            tags = self.widget.bindtags()
            if self.tag in tags:
                self.widget.bindtags(tuple(tag for tag in tags if tag != self.tag))
        for sequence in self._sequences:
            with contextlib.suppress(tkinter.TclError):
                self._root.unbind_class(self.tag, sequence)
        for funcid in self._funcids:
            with contextlib.suppress(tkinter.TclError):  # deleted already, with the root
                self._root.deletecommand(funcid)
        self._sequences.clear()
        self._funcids.clear()


def exists(widget: tkinter.Misc) -> bool:
    """The widget is still there (False once it, or the whole window, is destroyed)."""
    try:
        return bool(widget.winfo_exists())
    except tkinter.TclError:  # the application itself is destroyed
        return False


def cancel_on_destroy(owner: tkinter.Misc, cancel: Callable[[], object]) -> PrivateBinding | None:
    """Call `cancel()` when `owner` is destroyed (`submit(..., owner=)`); at once, and None, if it is gone already.

    Only the owner's own `<Destroy>` counts, not one of its children's: Tk
    also reports theirs to a binding on a toplevel's path, so the event's
    widget is checked, whatever tags see it.
    """
    if not exists(owner):
        cancel()
        return None
    path = str(owner)

    def on_destroy(event: tkinter.Event[tkinter.Misc]) -> None:
        if str(event.widget) == path:
            cancel()

    return PrivateBinding(owner, "owner", {"<Destroy>": on_destroy})
