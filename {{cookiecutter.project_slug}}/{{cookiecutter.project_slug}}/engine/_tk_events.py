"""The window speaks to a task: `await tk_event(widget, sequence)`, `async for event in tk_events(widget, sequence)`.

Why not a binding that calls into the task: a task may run on another
thread, and between two of its awaits (a `to_tk()` round trip, say) it is
not listening; an event that lands then would be lost. So the binding is
made once, when `tk_events()` is called, and every event goes into a queue
that the task empties at its own pace.

How, across threads:

- `tk_events()`, in the task, posts the binding to the Tk thread through the
  mailbox (a `TkRun`, the way `to_tk()` goes), without waiting for it. The
  mailbox is first in, first out, so a `to_tk()` call the task makes after
  `tk_events()` runs once the binding is in place: every event from then on
  is caught. (Where the task runs on the Tk thread itself, between Tk's
  events, the binding still goes through the mailbox, for the same order.)
- On the Tk thread the binding (a private bindtag, _bindtags.py) appends each
  event to an `_EventQueue`: a deque under a lock. Only when the task is
  waiting for an event is its loop woken (`call_soon_threadsafe`), once; a
  busy task costs the Tk thread an append per event.
- The task takes events out in order, and awaits a future on its own loop
  when there is none.
- The iteration ends (`break`, `aclose()`, the iterator collected, an error,
  the widget destroyed): the queue is closed, and the unbinding posted to the
  Tk thread, again without waiting, so it works from a finalizer and from a
  cancelled task. A cancelled `__anext__` leaves the iteration open (it may
  be a timeout around one event); the task's end collects the iterator,
  and that closes it.
- More than `EVENTS_WAITING_LIMIT` events waiting: the Tk side stops
  queueing and the task's next `__anext__` raises `TooManyEventsWaiting`
  rather than lose one silently.

An event is tkinter's own `Event`: plain fields (x, y, keysym, char, num,
delta, ...) and `event.widget`, a reference to a widget. A task may read the
plain fields anywhere. It may hold and drop the widget reference (a widget
has no finalizer, and Tk itself stays alive with the app's root, which the
Tk thread holds), but it must not call it off the Tk thread: `await
to_tk(event.widget.focus_set)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import tkinter
from collections import deque
from typing import TYPE_CHECKING, Any

from ._bindtags import PrivateBinding, exists
from ._in_task import current_link
from ._mailbox import Mailbox, TkRun

#: Events that may wait for the task, unconsumed, before the iteration stops with `TooManyEventsWaiting`.
EVENTS_WAITING_LIMIT = 10_000

if TYPE_CHECKING:  # tkinter.Event takes no type argument at run time
    from typing import TypeAlias

    Event: TypeAlias = tkinter.Event[tkinter.Misc]


class TooManyEventsWaiting(RuntimeError):
    """`tk_events()`: the task left more events waiting than its limit; the iteration stopped rather than lose one."""


class _EventQueue:
    """The events of one iteration, from the Tk thread to the task; any thread may hold it."""

    def __init__(self, limit: int, describe: str) -> None:
        self._limit = limit
        self._describe = describe
        self._lock = threading.Lock()
        self._events: deque[Event] = deque()
        self._error: BaseException | None = None  # raised by the next get()
        self._ended = False  # the widget is gone: no event will come
        self.closed = False  # the task is done with it: keep nothing more
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    # The Tk thread's side.

    def put(self, event: Event) -> None:
        with self._lock:
            if self.closed or self._ended or self._error is not None:
                return
            if len(self._events) >= self._limit:
                self._events.clear()
                self._error = TooManyEventsWaiting(
                    f"{self._describe}: {self._limit:,} events waited for the task, unconsumed; the iteration"
                    " stopped rather than lose any. Keep slow work out of the loop (hand it to another task),"
                    " or pass a larger limit="
                )
            else:
                self._events.append(event)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(*waiter)

    def fail(self, error: BaseException) -> None:
        """The binding could not be made: the task's next get() raises `error`."""
        with self._lock:
            self._error = error
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(*waiter)

    def end(self) -> None:
        """The widget is destroyed: the events already queued are still taken, then the iteration ends."""
        with self._lock:
            self._ended = True
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(*waiter)

    # The task's side.

    async def get(self) -> Event | None:
        """The next event, in order; None once the widget is gone or the queue closed."""
        while True:
            with self._lock:
                if self._events:
                    return self._events.popleft()
                if self._error is not None:
                    raise self._error
                if self._ended or self.closed:
                    return None
                loop = asyncio.get_running_loop()
                future: asyncio.Future[None] = loop.create_future()
                self._waiter = (loop, future)
            try:
                await future
            finally:
                with self._lock:
                    if self._waiter is not None and self._waiter[1] is future:
                        self._waiter = None

    def close(self) -> bool:
        """Any thread: keep nothing more, and let a waiting get() return None. True the first time only."""
        with self._lock:
            if self.closed:
                return False
            self.closed = True
            self._events.clear()
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            _wake(*waiter)
        return True


class _Listener:
    """The Tk thread's part of one iteration: bind, feed the queue, unbind. Made in the task, used on the Tk thread."""

    def __init__(self, widget: tkinter.Misc, sequences: tuple[str, ...], queue: _EventQueue) -> None:
        self._widget = widget
        self._path = str(widget)  # plain Python: no Tk call
        self._sequences = sequences
        self._queue = queue
        self._binding: PrivateBinding | None = None

    def bind(self) -> None:
        if self._queue.closed:  # the task let go before the Tk thread got here
            return
        if not exists(self._widget):
            self._queue.end()
            return
        callbacks = dict.fromkeys(self._sequences, self._on_event)
        if "<Destroy>" not in callbacks:
            callbacks["<Destroy>"] = self._on_destroy
        try:
            self._binding = PrivateBinding(self._widget, "tk_events", callbacks)
        except tkinter.TclError as exc:  # a sequence Tk does not know: the task hears why
            self._queue.fail(exc)

    def unbind(self) -> None:
        if self._binding is not None:
            self._binding.remove()
            self._binding = None

    def _on_event(self, event: Event) -> None:
        self._queue.put(event)
        if event.type == tkinter.EventType.Destroy:  # asked for: the widget's own is its last event
            self._on_destroy(event)

    def _on_destroy(self, event: Event) -> None:
        if str(event.widget) == self._path:  # not a child's (Tk reports those to a toplevel's bindings too)
            self._queue.end()


class TkEvents:
    """What `tk_events()` returns: an async iterator of the events, in order, and `aclose()` to stop early.

    Closing is all it takes to remove the binding, and it never waits, so
    the iteration is closed however it is left: `break` or the task's end
    (the iterator is collected), `aclose()` (directly, or by `contextlib.aclosing`,
    or by the loop's finalizer of an async generator of yours that iterates
    this one), an error, or the widget destroyed.
    """

    def __init__(self, queue: _EventQueue, listener: _Listener, mailbox: Mailbox) -> None:
        self._queue = queue
        self._listener = listener
        self._mailbox = mailbox

    def __aiter__(self) -> TkEvents:
        return self

    async def __anext__(self) -> Event:
        try:
            event = await self._queue.get()
        except asyncio.CancelledError:  # a timeout around one event, or the task's end: see the module's docstring
            raise
        except BaseException:
            self._close()
            raise
        if event is None:
            self._close()
            raise StopAsyncIteration
        return event

    async def aclose(self) -> None:
        """End the iteration: the binding goes, and events queued but not taken are dropped."""
        self._close()

    def __del__(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._queue.close():
            self._mailbox.post(TkRun(self._listener.unbind))  # False once the window is closed: nothing to unbind


def tk_events(widget: tkinter.Misc, *sequences: str, limit: int = EVENTS_WAITING_LIMIT) -> TkEvents:
    """Inside a task: every event of `widget` that `sequences` match, from now on, in order, none lost.

    `async for event in tk_events(entry, "<Key>"): ...`, then `event.keysym`.

    A sequence is what `widget.bind()` takes: `"<B1-Motion>"`, `"<Return>"`,
    `"<<MyVirtualEvent>>"` (generated with `event_generate(..., when="tail")`).
    With several, their events come as one stream, in the order Tk handled
    them (`tk_events(canvas, "<B1-Motion>", "<ButtonRelease-1>")`: a drag and
    its end; `event.type` tells them apart).
    The binding is made once, at this call, on a bindtag of its own: the
    app's own bindings of the same sequence keep firing, and they stay when
    the iteration ends (`break`, `aclose()`, the task's end or
    cancellation), which removes this binding. A `to_tk()` call the task
    makes after this one runs once the binding is in place. The events wait
    in a queue while the task does other things; past `limit` of them
    waiting, the iteration raises `TooManyEventsWaiting` instead of losing
    any. The iteration ends by itself when the widget is destroyed. A sequence
    Tk does not know raises `tkinter.TclError` at the first event asked for.

    Only the events that reach this widget's own bindtags arrive: a key
    typed into a child (an Entry in the window) goes to the child, so listen
    on the widget that has the focus.

    Read an event's plain fields (x, y, keysym, char, ...) anywhere;
    `event.widget` is a widget, to be touched on the Tk thread only: `await
    to_tk(event.widget.configure, text="seen")`.

    A runner whose tasks run inside the click that started them cannot do
    this, and raises `RuntimeError`: no event can arrive while such a task
    waits. Outside a runner task, bind a callback with `widget.bind()`.
    """
    return _open("tk_events", widget, sequences, limit)


async def tk_event(widget: tkinter.Misc, *sequences: str) -> Event:
    """Inside a task: wait for the next event of `widget` that matches one of `sequences`, and return it.

    `event = await tk_event(entry, "<Return>", "<Escape>")`, then `event.keysym`. Made with `tk_events()`, so
    the same holds: the app's own bindings stay, the binding goes when the
    event has come or the task is cancelled (wrap it in
    `asyncio.timeout()` to give up after a while), and where tasks run
    inside the click that started them it raises `RuntimeError`. A widget destroyed before the event comes
    raises `tkinter.TclError`.
    """
    events = _open("tk_event", widget, sequences, EVENTS_WAITING_LIMIT)
    try:
        return await events.__anext__()
    except StopAsyncIteration:
        raise tkinter.TclError(f"{widget} was destroyed before a {' or '.join(sequences)} event came") from None
    finally:
        await events.aclose()


def _open(name: str, widget: tkinter.Misc, sequences: tuple[str, ...], limit: int) -> TkEvents:
    if not sequences:
        raise TypeError(f"{name}() needs at least one event sequence, such as '<Return>'")
    link = current_link()
    if link is None:
        raise RuntimeError(f"{name}() works inside a runner task only; on the Tk thread, bind with widget.bind()")
    if link.inline:
        raise RuntimeError(
            f"{name}() cannot work where a task runs inside the click that started it: no event can reach it"
            " while it waits; bind a callback with widget.bind(), or use another pattern"
        )
    queue = _EventQueue(limit, f"{name}({widget}, {', '.join(map(repr, sequences))})")
    listener = _Listener(widget, sequences, queue)
    if not link.mailbox.post(TkRun(listener.bind)):
        raise RuntimeError(f"{name}(): the window is closed")
    return TkEvents(queue, listener, link.mailbox)


def _wake(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    """Any thread: let the task waiting on `future` go on (unless its loop is closed: then nobody waits)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_set_if_pending, future)


def _set_if_pending(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_result(None)
