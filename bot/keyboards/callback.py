"""One typed scheme for every button's callback data, in the spirit of aiogram's CallbackData.

A button family is a frozen dataclass that names its prefix and declares its fields in the
order they travel; the codec is made once, from the field types, when the class is defined:

    class TeamPress(CallbackData, prefix="tb"):
        break_id: int
        joining: Annotated[bool, Tokens({True: "in", False: "out"})]

    TeamPress(7, True).pack() == "tb:7:in"
    TeamPress.unpack("tb:7:in") == TeamPress(7, True)
    TeamPress.unpack("tb:7:maybe") is None        # anything the bot could not have written

The wire is `<prefix>:<field>:<field>...`, the format every button had before this scheme, so
buttons sent weeks ago still parse (tests/keyboards/test_callback_data.py holds them as literals). A
field's type says how it is written:

- `int`: ASCII digits, no sign, no leading zero, at most 18 (`Digits(n)`: at most n);
- `str`: a non-empty ASCII word without ":";
- `bool`: one of the two words its `Tokens` give;
- an `Enum` of strings: its value; `Literal["a", "b"]`: one of those words;
- `date`: YYYYMMDD; `time`: HHMM;
- `X | Literal[...]`: one of the words, else an X (`time | Literal["ask", "back"]`);
- `X | None`: None is the word `NoneAs("off")` gives; without NoneAs, the field must be
  among the last and default to None, and is left off the wire when None (`tz:<zone>`
  beside `tz:<zone>:<city>`).

`OneOf(...)`, `Range(lo, hi)` and `Tokens({value: word})` narrow what a field takes; a family's
`valid()` says which combinations of fields make sense. Unpack refuses the rest, and what it
accepts is canonical: `pack(unpack(s)) == s` for every s it reads. Pack refuses a value that
would not read back, and data over Telegram's 64 bytes.

Each family's prefix is registered when the class is defined: a second family with the same
prefix fails the import, so two features can never route the same presses.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any, ClassVar, Self, cast, dataclass_transform

SEPARATOR = ":"
MAX_BYTES = 64  # Telegram's limit on callback_data (1-64 bytes)
INT_DIGITS = 18  # as the hand-written codecs allowed for ids; the database's are far shorter


class CallbackDataError(TypeError):
    """A family the scheme cannot write: a duplicate prefix, a type it has no codec for."""


@dataclasses.dataclass(frozen=True, slots=True)
class Digits:
    """An int field's most digits (the default is INT_DIGITS)."""

    most: int


@dataclasses.dataclass(frozen=True, slots=True)
class Range:
    """An int field's bounds, both included."""

    low: int
    high: int


class OneOf:
    """The only values a field takes (of its type, e.g. the shipped language codes)."""

    __slots__ = ("values",)

    def __init__(self, *values: object) -> None:
        self.values = values


@dataclasses.dataclass(frozen=True, slots=True)
class Tokens:
    """The word each value is written as (a bool's two words, a side's "l" and "r")."""

    words: Mapping[Any, str]


@dataclasses.dataclass(frozen=True, slots=True)
class NoneAs:
    """The word an optional field's None is written as (`tm:morning:off`)."""

    word: str


Decode = Callable[[str], Any]  # a token to a value; raises ValueError or KeyError if not one
Encode = Callable[[Any], str]  # a value to its token; raises ValueError or KeyError if not one


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    decode: Decode
    encode: Encode
    omittable: bool  # a last field that is left off the wire when None


_FAMILIES: dict[str, type[CallbackData]] = {}


@dataclass_transform(frozen_default=True)
class CallbackData:
    """The base of every button family (see the module's doc). `pack` and `unpack` are
    written for each family when it is defined (_compile), as dataclasses writes __init__."""

    prefix: ClassVar[str]
    pattern: ClassVar[str]  # the CallbackQueryHandler pattern that routes this family's presses

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _is_word(prefix):
            raise CallbackDataError(f"{cls.__name__}: prefix {prefix!r} is not a word")
        if prefix in _FAMILIES:
            raise CallbackDataError(
                f"{cls.__name__}: prefix {prefix!r} is taken by {_FAMILIES[prefix].__name__}"
            )
        # In place, without slots: slots=True would make a new class, not the one defined.
        dataclasses.dataclass(frozen=True)(cls)
        cls.prefix = prefix
        cls.pattern = f"^{re.escape(prefix)}{SEPARATOR}"
        _compile(cls)
        _FAMILIES[prefix] = cls

    def valid(self) -> bool:
        """Whether the fields make sense together (a family overrides it: `n:go` has no
        minutes, `n:snooze` has them). Unpack refuses, and pack raises, when False."""
        return True

    def pack(self) -> str:
        """The callback data; ValueError for a value that would not read back, or over
        Telegram's 64 bytes."""
        raise NotImplementedError  # written per family by _compile

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """The press `data` carries, or None for anything this family could not have written
        (forged, malformed, or another family's)."""
        raise NotImplementedError  # written per family by _compile


def families() -> list[type[CallbackData]]:
    """Every family defined so far (importing bot.keyboards defines them all), by prefix."""
    return [_FAMILIES[prefix] for prefix in sorted(_FAMILIES)]


# The codec, written once per family ----------------------------------------------------------
#
# Each family gets an unpack and a pack of its own, generated from its fields when the class
# is defined (the way dataclasses writes __init__). Measured on the 2-core dev machine (best
# of 40 runs, /tmp timeit): a generic loop over the fields, with the list and the dataclass
# __init__ it needs, read a session button in about 2.6 µs, slower than the hand-written
# codec it replaces (2.1 µs); the straight-line code below reads it in 1.3 µs, and a regex
# fullmatch would take 1.6 µs. Pack, with the dataclass built first, takes 1.75 µs against
# 0.55 µs for the f-string it replaces: about 6 µs more per session step (4-5 buttons), beside
# the ~50 µs PTB takes to build them.

_UNPACK = """\
def unpack(cls, data):
    parts = data.split({sep!r})
    count = len(parts)
    if count < {least} or count > {most} or parts[0] != {prefix!r}:
        return None
    try:
{reads}
    except (ValueError, KeyError):
        return None
    pressed = new(cls)
{sets}
    return {result}
"""

_PACK = """\
def pack(self):
    try:
        data = {prefix!r}{writes}
{tail}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{{self!r}} cannot be packed: {{exc!r}}") from exc
    if {invalid}len(data.encode()) > {max_bytes}:
        raise ValueError(f"{{self!r}} packs to {{data!r}}: not valid(), or over {max_bytes} bytes")
    return data
"""


def _compile(cls: type[CallbackData]) -> None:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [_field(f, hints[f.name], cls) for f in dataclasses.fields(cast(Any, cls))]
    least = len(fields)  # the fields always on the wire; the rest may be left off
    while least > 0 and fields[least - 1].omittable:
        least -= 1
    if any(f.omittable for f in fields[:least]):
        raise CallbackDataError(f"{cls.__name__}: only the last fields may be left off")
    names = [f.name for f in fields]
    space: dict[str, Any] = {"new": object.__new__, "put": object.__setattr__}
    for i, f in enumerate(fields):
        space[f"d{i}"], space[f"e{i}"] = f.decode, f.encode
    reads = [f"        v{i} = d{i}(parts[{i + 1}])" for i in range(least)] + [
        f"        v{i} = d{i}(parts[{i + 1}]) if count > {i + 1} else None"
        for i in range(least, len(fields))
    ]
    tail: list[str] = []
    for i in range(least, len(fields)):
        tail += [
            f"        if self.{names[i]} is not None:",
            f"            data += {SEPARATOR!r} + e{i}(self.{names[i]})",
        ]
        # A value after a left-off one would be read as the left-off one.
        tail += [
            f"        elif self.{later} is not None:\n            raise ValueError({later!r})"
            for later in names[i + 1 :]
        ]
    checks = cls.valid is not CallbackData.valid  # valid() is called only where overridden
    source = _UNPACK.format(
        sep=SEPARATOR,
        least=least + 1,
        most=len(fields) + 1,
        prefix=cls.prefix,
        reads="\n".join(reads) or "        pass",
        sets="\n".join(f"    put(pressed, {name!r}, v{i})" for i, name in enumerate(names)),
        result="pressed if pressed.valid() else None" if checks else "pressed",
    ) + _PACK.format(
        prefix=cls.prefix,
        writes="".join(f" + {SEPARATOR!r} + e{i}(self.{names[i]})" for i in range(least)),
        tail="\n".join(tail) or "        pass",
        invalid="not self.valid() or " if checks else "",
        max_bytes=MAX_BYTES,
    )
    exec(compile(source, f"<callback data {cls.__qualname__}>", "exec"), space)
    cls.unpack = classmethod(space["unpack"])  # type: ignore[assignment, method-assign]
    cls.pack = space["pack"]  # type: ignore[method-assign]


def _field(field: dataclasses.Field[Any], hint: Any, cls: type) -> _Field:
    where = f"{cls.__name__}.{field.name}"
    marks: list[object] = []
    if typing.get_origin(hint) is typing.Annotated:
        hint, *marks = typing.get_args(hint)
    kinds = list(_union(hint))
    optional = type(None) in kinds
    kinds = [k for k in kinds if k is not type(None)]
    words: dict[str, Any] = {}  # fixed words and what they mean
    opens: list[tuple[Decode, Encode]] = []  # the open-ended types (an int, a date, ...)
    none_as = next((m.word for m in marks if isinstance(m, NoneAs)), None)
    if none_as is not None:
        if not optional:
            raise CallbackDataError(f"{where}: NoneAs on a field that is never None")
        words[none_as] = None
    for kind in kinds:
        if typing.get_origin(kind) is typing.Literal:
            words.update({_word(w, where): w for w in typing.get_args(kind)})
        else:
            fixed, open_ = _kind(kind, marks, where)
            words.update(fixed)
            if open_ is not None:
                opens.append(open_)
    if len(opens) > 1:
        raise CallbackDataError(f"{where}: at most one open-ended type in a union")
    omittable = optional and none_as is None
    if omittable and field.default is not None:
        raise CallbackDataError(f"{where}: a field left off the wire must default to None")
    decode, encode = _join(words, opens[0] if opens else None)
    return _Field(field.name, decode, encode, omittable)


def _union(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _kind(
    kind: Any, marks: list[object], where: str
) -> tuple[dict[str, Any], tuple[Decode, Encode] | None]:
    """One type of a field: its fixed words, and the codec of its open-ended part."""
    tokens = next((m.words for m in marks if isinstance(m, Tokens)), None)
    one_of = next((m.values for m in marks if isinstance(m, OneOf)), None)
    if tokens is not None:
        if not all(isinstance(v, kind) for v in tokens):
            raise CallbackDataError(f"{where}: a Tokens value is not a {kind.__name__}")
        return {_word(w, where): v for v, w in tokens.items()}, None
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        members: list[enum.Enum] = list(one_of if one_of is not None else kind)  # type: ignore[arg-type]
        if not all(type(m) is kind for m in members):
            raise CallbackDataError(f"{where}: a OneOf value is not a {kind.__name__}")
        return {_word(m.value, where): m for m in members}, None
    if kind is bool:
        raise CallbackDataError(f"{where}: a bool needs Tokens (its two words)")
    if one_of is not None:
        if not all(type(v) is kind for v in one_of):
            raise CallbackDataError(f"{where}: a OneOf value is not a {kind.__name__}")
        return {_word(str(v), where): v for v in one_of}, None
    if kind is int:
        bounds = next((m for m in marks if isinstance(m, Range)), None)
        if bounds is not None:  # few enough to list: a dict look-up is the fastest check
            return {str(n): n for n in range(bounds.low, bounds.high + 1)}, None
        most = next((m.most for m in marks if isinstance(m, Digits)), INT_DIGITS)
        return {}, (_int_decoder(most), _int_encoder(most))
    if kind is str:
        return {}, (_str_decode, _str_encode)
    if kind is date:
        return {}, (_date_decode, _date_encode)
    if kind is time:
        return {}, (_time_decode, _time_encode)
    raise CallbackDataError(f"{where}: no codec for {kind!r}")


def _join(words: dict[str, Any], open_: tuple[Decode, Encode] | None) -> tuple[Decode, Encode]:
    """A field's decoder and encoder: its words first, then its open-ended type. A field of
    words only decodes with a bare dict look-up (the session's action)."""
    lookup = _word_of(words)
    if open_ is None:

        def encode_word(value: Any) -> str:
            word = lookup(value)
            if word is None:
                raise ValueError(value)
            return word

        return words.__getitem__, encode_word
    decode_open, encode_open = open_
    if not words:
        return open_

    def decode(token: str) -> Any:
        return words[token] if token in words else decode_open(token)

    def encode(value: Any) -> str:
        word = lookup(value)
        return word if word is not None else encode_open(value)

    return decode, encode


def _word_of(words: dict[str, Any]) -> Callable[[Any], str | None]:
    """The word a value is written as, None if it has none."""
    if all(v is None or type(v) is bool or isinstance(v, enum.Enum) for v in words.values()):
        # One object each (enum members, True, False, None): told apart by identity, which
        # costs no Python-level __hash__ (Enum's) and never takes 1 for True.
        by_id = {id(v): w for w, v in words.items()}
        return lambda value: by_id.get(id(value))
    if any(type(v) is bool for v in words.values()):
        raise CallbackDataError(f"bools and other values in one field: {words}")
    by_value = {v: w for w, v in words.items()}
    # Of its types only (True == 1), a str subclass as a str (onboarding's Step is a StrEnum).
    kinds = frozenset(str if isinstance(v, str) else type(v) for v in words.values())
    return lambda value: (
        by_value.get(value) if (str if isinstance(value, str) else type(value)) in kinds else None
    )


# The open-ended types ---------------------------------------------------------------------


def _int_decoder(most: int) -> Decode:
    def decode(token: str) -> int:
        # ASCII only: str.isdigit() also passes "²", which int() refuses. No leading zero: the
        # bot never writes one, and a read value must pack back to the same data.
        if not (token.isdigit() and token.isascii()) or len(token) > most:
            raise ValueError(token)
        if token[0] == "0" and len(token) > 1:
            raise ValueError(token)
        return int(token)

    return decode


def _int_encoder(most: int) -> Encode:
    limit = 10**most

    def encode(value: int) -> str:
        if type(value) is not int or not 0 <= value < limit:
            raise ValueError(value)
        return str(value)

    return encode


def _str_decode(token: str) -> str:
    if not _is_word(token):
        raise ValueError(token)
    return token


def _str_encode(value: str) -> str:
    if not isinstance(value, str) or not _is_word(value):
        raise ValueError(value)
    return value


def _date_decode(token: str) -> date:
    if len(token) != 8 or not (token.isdigit() and token.isascii()):
        raise ValueError(token)
    return date(int(token[:4]), int(token[4:6]), int(token[6:]))  # ValueError: no such day


def _date_encode(value: date) -> str:
    if type(value) is not date:  # a datetime would come back as a date
        raise ValueError(value)
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _time_decode(token: str) -> time:
    if len(token) != 4 or not (token.isdigit() and token.isascii()):
        raise ValueError(token)
    return time(int(token[:2]), int(token[2:]))  # ValueError: 2400, 0960


def _time_encode(value: time) -> str:
    # Hours and minutes only: a time with seconds would come back without them.
    if type(value) is not time or value.second or value.microsecond or value.tzinfo:
        raise ValueError(value)
    return f"{value.hour:02d}{value.minute:02d}"


def _is_word(token: str) -> bool:
    return bool(token) and token.isascii() and SEPARATOR not in token


def _word(token: object, where: str) -> str:
    if not isinstance(token, str) or not _is_word(token):
        raise CallbackDataError(f"{where}: {token!r} cannot be a word on the wire")
    return token
