"""Tk objects that the garbage collector frees off the Tk thread are released on the Tk thread, never there.

Why: the collector runs on whichever thread's allocation crosses its
threshold, or that calls `gc.collect()`. A `tkinter.Variable`, an `Image`
(`PhotoImage`, `BitmapImage`) or a `tkinter.font.Font` caught in a reference
cycle (matplotlib's `FigureCanvasTkAgg` keeps its `PhotoImage` and `IntVar` in
cycles; so does a closure that captures the app) can thus be finalized on a
runner's loop thread, a task's thread or an `asyncio.to_thread` worker, and
its `__del__` calls Tcl from there. tkinter then hands the call to the Tk
thread and blocks until the Tk thread serves it: while `close()` is joining
that very thread, not before close()'s timeout; once the Tk thread has left
its event loop, never (the call fails with "main thread is not in main
loop" on stderr, or hangs the process's exit); and the Tcl variable or image
is never freed. Whoever made the object, the app or a library, cannot help
where the collector happens to run.

How: while any runner is open, those classes' `__del__` are replaced. On the
Tk thread of the object's interpreter the original runs, as before. On any
other thread the replacement calls no Tcl: it queues what the release takes
(the interpreter and the Tcl names, never the object, which is being
finalized) and wakes the Tk thread through the runner's mailbox, whose inbox
runs the release there (`TkReleases.run`); the runner's `close()` runs
whatever is still queued once its tasks have wound down. An object of an
interpreter that no open runner serves (its runner closed, its window gone)
is left alone off the Tk thread: Tcl must not be called from there, and its
interpreter ends with the app. The originals are put back when the last
runner closes, so nothing of this outlives the runners. Pillow's `ImageTk`
images wrap a tkinter image and free it in a `__del__` of their own: theirs
are replaced too if Pillow's `ImageTk` is loaded when a runner starts (it is
looked up, never imported).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import tkinter
import tkinter.font
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple


class _Release(NamedTuple):
    """What freeing one Tk object takes, without the object: `free(tk, *names)`, to be called on the Tk thread."""

    free: Callable[..., None]
    #: The interpreter as the object held it: kept here, so that it too is let go of on the Tk thread.
    tk: Any
    names: tuple[str, ...]


def _unset_variable(tk: Any, name: str, *commands: str) -> None:
    """What `Variable.__del__` does: unset the Tcl variable, delete the commands of its traces."""
    if tk.getboolean(tk.call("info", "exists", name)):
        tk.globalunsetvar(name)
    for command in commands:
        tk.deletecommand(command)


def _delete_image(tk: Any, name: str) -> None:
    tk.call("image", "delete", name)


def _delete_font(tk: Any, name: str) -> None:
    tk.call("font", "delete", name)


#: How to free a Tk object without it: `free(tk, *names)`; None if there is nothing to free.
_HowToFree = tuple[Callable[..., None], tuple[str, ...]] | None


def _variable_release(variable: Any) -> _HowToFree:
    return _unset_variable, (variable._name, *(variable._tclCommands or ()))


def _image_release(image: Any) -> _HowToFree:
    return (_delete_image, (image.name,)) if image.name else None


def _font_release(font: Any) -> _HowToFree:
    return (_delete_font, (font.name,)) if font.delete_font else None


def _wrapped_image_tk(attribute: str, wrapper: Any) -> object:
    return getattr(wrapper, attribute).tk


def _wrapped_image_release(attribute: str, wrapper: Any) -> _HowToFree:
    """Pillow's `ImageTk` images wrap a tkinter image and delete it in their own `__del__`, as tkinter would."""
    photo = getattr(wrapper, attribute)
    name = photo.name
    photo.name = None  # what Pillow's __del__ does: the tkinter image's own finalizer then has nothing left to do
    return (_delete_image, (name,)) if name else None


#: A class whose `__del__` calls Tcl, how to get at the interpreter of one of its objects, and what freeing it takes.
_Finalized = tuple[type, Callable[[Any], object], Callable[[Any], _HowToFree]]

_FINALIZED: tuple[_Finalized, ...] = (
    (tkinter.Variable, lambda variable: variable._tk, _variable_release),
    (tkinter.Image, lambda image: image.tk, _image_release),
    (tkinter.font.Font, lambda font: font._tk, _font_release),
)


def _finalized_elsewhere() -> list[_Finalized]:
    """Pillow's `ImageTk.PhotoImage` and `BitmapImage`, if Pillow's `ImageTk` is loaded (matplotlib's toolbar uses it).

    Looked up, never imported: the project does not depend on Pillow. Their
    tkinter image sits in a name-mangled attribute, `_<Class>__photo`.
    """
    image_tk = sys.modules.get("PIL.ImageTk")
    found: list[_Finalized] = []
    for class_name in ("PhotoImage", "BitmapImage"):
        cls = getattr(image_tk, class_name, None)
        if isinstance(cls, type):
            attribute = f"_{class_name}__photo"
            found.append((cls, partial(_wrapped_image_tk, attribute), partial(_wrapped_image_release, attribute)))
    return found


class _Interp:
    """An interpreter that open runners serve: its Tk thread, and the releases waiting to run there."""

    def __init__(self, tk: object, thread: int) -> None:
        self.tk = tk
        self.thread = thread
        self.waiting: deque[_Release] = deque()
        #: One wake-up per open runner on this interpreter, the newest last (replaced, never changed in place).
        self.wakes: tuple[Callable[[], object], ...] = ()
        self.wake_sent = False
        #: False once its last runner has closed: nothing is queued any more, as nothing would run it.
        self.open = True
        # Taken by a finalizer, on any thread, only around what allocates nothing the collector tracks: a
        # collection, and so a finalizer, cannot start inside it on the thread that holds it.
        self.lock = threading.Lock()

    def put(self, release: _Release) -> None:
        """Any thread: queue `release`, and wake the Tk thread if no wake-up is on its way already."""
        with self.lock:
            if not self.open:
                return
            self.waiting.append(release)
        if not self.wake_sent and self.wakes:
            self.wake_sent = True
            self.wakes[-1]()

    def run(self) -> None:
        """Tk thread: run every release waiting, in order."""
        self.wake_sent = False  # first: a release queued from now on sends a new wake-up
        while self.waiting:
            release = self.waiting.popleft()
            with contextlib.suppress(tkinter.TclError):  # the window is destroyed: its images are gone with it
                release.free(release.tk, *release.names)


class _Registry:
    """The interpreters open runners serve, and the finalizers replaced while there is one."""

    def __init__(self) -> None:
        #: By `id()` of the interpreter. Replaced, never changed in place: a finalizer reads it without a lock,
        #: so that it can never wait for one (it may run on any thread, at any allocation).
        self.interps: dict[int, _Interp] = {}
        #: The Tk threads of `interps`.
        self.tk_threads: frozenset[int] = frozenset()
        self.runners = 0
        self.originals: dict[type, Any] = {}
        self.lock = threading.Lock()  # runners open and close on Tk threads only

    def publish(self, interps: dict[int, _Interp]) -> None:
        self.interps = interps
        self.tk_threads = frozenset(interp.thread for interp in interps.values())

    def install(self) -> None:
        """Replace the finalizers not replaced yet (Pillow's may have been loaded since the first runner started)."""
        for cls, tk_of, release_of in (*_FINALIZED, *_finalized_elsewhere()):
            original = cls.__dict__.get("__del__")
            if original is not None and cls not in self.originals:
                self.originals[cls] = original
                setattr(cls, "__del__", _finalizer(original, tk_of, release_of))  # noqa: B010

    def restore(self) -> None:
        for cls, original in self.originals.items():
            setattr(cls, "__del__", original)  # noqa: B010
        self.originals.clear()


_REGISTRY = _Registry()


def _finalizer(
    original: Callable[[Any], None], tk_of: Callable[[Any], object], release_of: Callable[[Any], _HowToFree]
) -> Callable[[Any], None]:
    """The `__del__` that stands in for `original` while a runner is open."""

    def __del__(self: Any) -> None:
        try:
            tk = tk_of(self)
        except AttributeError:  # made only in part (its __init__ failed)
            tk = None
        interp = _REGISTRY.interps.get(id(tk)) if tk is not None else None
        here = threading.get_ident()
        if interp is None:  # no open runner serves its interpreter
            if tk is None or here in _REGISTRY.tk_threads:
                original(self)  # on a Tk thread, or with nothing of Tcl to free: as before
            return
        if here == interp.thread:
            original(self)
            return
        try:
            release = release_of(self)
        except AttributeError:  # made only in part (its __init__ failed): no Tcl name to free
            return
        if release is not None:
            interp.put(_Release(release[0], tk, release[1]))

    __del__.__qualname__ = getattr(original, "__qualname__", "__del__")
    __del__.__doc__ = original.__doc__
    return __del__


class TkReleases:
    """A runner's part: while it is open, the Tk objects of its interpreter freed on other threads wait for it.

    Made on the Tk thread when the runner starts; `wake` (called from any
    thread, at most once until the next `run()`) must have the Tk thread call
    `run()` soon. `close()`, on the Tk thread, runs what is still waiting.
    """

    def __init__(self, tk: object, wake: Callable[[], object]) -> None:
        self._wake = wake
        registry = _REGISTRY
        with registry.lock:
            interp = registry.interps.get(id(tk))
            if interp is None:
                interp = _Interp(tk, threading.get_ident())
                registry.publish({**registry.interps, id(tk): interp})
            interp.wakes = (*interp.wakes, wake)
            registry.install()
            registry.runners += 1
        self._interp: _Interp | None = interp

    def run(self) -> None:
        """Tk thread: release the Tk objects freed elsewhere since the last call."""
        if self._interp is not None:
            self._interp.run()

    def close(self) -> None:
        """Tk thread, once the runner's tasks have wound down: run what waits; the last runner puts `__del__` back."""
        interp = self._interp
        if interp is None:
            return
        self._interp = None
        registry = _REGISTRY
        with registry.lock:
            interp.wakes = tuple(wake for wake in interp.wakes if wake is not self._wake)
            if not interp.wakes:  # its last runner: from here on, nothing more is queued for it
                with interp.lock:
                    interp.open = False
                registry.publish({key: value for key, value in registry.interps.items() if value is not interp})
            registry.runners -= 1
            if registry.runners == 0:
                registry.restore()
        interp.run()
