"""time and datetime on the virtual clock.

time.sleep costs virtual time (and, in a running event loop's thread, is a blocking call);
time.time/monotonic/perf_counter (and _ns), localtime, gmtime, ctime, asctime, strftime,
datetime.datetime.now/today/utcnow and datetime.date.today read the clock, which starts at
EPOCH. Differences between Python versions in these modules live here.
"""

from __future__ import annotations

import asyncio.events
import datetime
import math
import sys
import time
from typing import Any

from runner.inside import state

# 2024-01-01 12:00:00 UTC: every run starts at the same moment, so printed times are stable.
EPOCH = 1704110400.0

# The real functions, taken before anything is patched (a warm process imports this first).
_real_sleep = time.sleep
_real_localtime = time.localtime
_real_gmtime = time.gmtime
_real_ctime = time.ctime
_real_asctime = time.asctime
_real_strftime = time.strftime
_real_datetime = datetime.datetime
_real_date = datetime.date


def _clock_now() -> float:
    assert state.run is not None
    return state.run.now()


def _v_time() -> float:
    return EPOCH + _clock_now()


def _v_time_ns() -> int:
    return int(EPOCH) * 10**9 + round(_clock_now() * 1e9)


def _v_monotonic() -> float:
    return _clock_now()


def _v_monotonic_ns() -> int:
    return round(_clock_now() * 1e9)


def _v_localtime(secs: float | None = None) -> time.struct_time:
    return _real_localtime(_v_time() if secs is None else secs)


def _v_gmtime(secs: float | None = None) -> time.struct_time:
    return _real_gmtime(_v_time() if secs is None else secs)


def _v_ctime(secs: float | None = None) -> str:
    return _real_ctime(_v_time() if secs is None else secs)


def _v_asctime(t: Any = None) -> str:
    return _real_asctime(_v_localtime() if t is None else t)


def _v_strftime(format: str, t: Any = None) -> str:  # noqa: A002 - time.strftime's own name
    return _real_strftime(format, _v_localtime() if t is None else t)


def _sleep_seconds(secs: object) -> float:
    """Validate time.sleep's argument the way time.sleep does."""
    if isinstance(secs, bool) or not isinstance(secs, int | float):
        raise TypeError(f"'{type(secs).__name__}' object cannot be interpreted as an integer")
    value = float(secs)
    if math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return value


def _sleep(secs: float) -> None:
    """time.sleep: costs virtual time; inside a running event loop it is a blocking call."""
    seconds = _sleep_seconds(secs)
    run = state.run
    assert run is not None
    if seconds > 0 and asyncio.events._get_running_loop() is not None:
        run.blocking_call(seconds, run.now(), sys._getframe(1))
    if run.clock is None or seconds == 0:
        _real_sleep(seconds)
        return
    run.clock.block(run.clock.now + seconds)


class _RealInstances(type):
    """isinstance(real_datetime_object, datetime.datetime) stays true after the swap."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls.__mro__[1])

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.__mro__[1])


class _VirtualDatetime(_real_datetime, metaclass=_RealInstances):
    @classmethod
    def now(cls, tz: datetime.tzinfo | None = None) -> Any:
        return cls.fromtimestamp(_v_time(), tz)

    @classmethod
    def today(cls) -> Any:
        return cls.fromtimestamp(_v_time())

    @classmethod
    def utcnow(cls) -> Any:
        return cls.utcfromtimestamp(_v_time())


class _VirtualDate(_real_date, metaclass=_RealInstances):
    @classmethod
    def today(cls) -> Any:
        return cls.fromtimestamp(_v_time())


# Printed the way the real classes print: datetime.datetime(2024, 1, 1, 12, 0).
_VirtualDatetime.__name__ = "datetime.datetime"
_VirtualDatetime.__qualname__ = _VirtualDatetime.__module__ = "datetime"
_VirtualDate.__name__ = "datetime.date"
_VirtualDate.__qualname__ = "date"
_VirtualDate.__module__ = "datetime"


def virtual_monotonic() -> float:
    """time.monotonic on the clock, for the other patches' deadlines."""
    return _v_monotonic()


def install(virtual: bool) -> None:
    """time.sleep always (a blocking call is reported either way); the rest on the clock."""
    time.sleep = _sleep
    if not virtual:
        return
    patches = {
        "time": _v_time,
        "time_ns": _v_time_ns,
        "monotonic": _v_monotonic,
        "monotonic_ns": _v_monotonic_ns,
        "perf_counter": _v_monotonic,
        "perf_counter_ns": _v_monotonic_ns,
        "localtime": _v_localtime,
        "gmtime": _v_gmtime,
        "ctime": _v_ctime,
        "asctime": _v_asctime,
        "strftime": _v_strftime,
    }
    for name, function in patches.items():
        setattr(time, name, function)
    datetime.datetime = _VirtualDatetime  # type: ignore[misc]
    datetime.date = _VirtualDate  # type: ignore[misc]
