"""A pose as bytes to send: a PNG still and a looping GIF animation, cached by content hash.

GIF because Telegram's sendAnimation takes it as is and a flat picture of a few colours packs
well into it (see docs/design-notes.md for the sizes). Drawing is CPU work (tens to hundreds
of milliseconds): callers on the event loop run it in a thread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bot.pictures import skeleton, style
from bot.pictures.encode import encode_png
from bot.pictures.mobility import draw_leg_angle, leg_angle_pose
from bot.pictures.render import Extras, render
from bot.routines import Keyframe, Pose

# Bump when the drawing changes, so that cached pictures (and the file_ids stored for them)
# are drawn and uploaded afresh.
DRAWING_VERSION = 2

FRAME_MS = 50  # 20 frames a second: smooth enough for a slow movement
STEP_FRAMES = 14  # frames from one keyframe to the next (0.7 s)
HOLD_MS = 1400  # the held pose, one frame
REST_MS = 700  # the starting pose, one frame, before the loop begins again
PALETTE_COLOURS = 64
GHOST_HIP_TOLERANCE = 0.01  # pose units: a hip this close to the held one is the same hip


def draw_still(pose: Pose, size: tuple[int, int] = style.DEFAULT_SIZE) -> bytes:
    """The pose held (its last keyframe) as a PNG: the stretching leg in the accent colour,
    its earlier keyframes as pale ghosts, and the arrow of its movement."""
    first = pose.keyframes[0]
    # A ghost is drawn from its own hip: where the body slid between keyframes (closer to a
    # wall), a ghost from an earlier hip would float beside the body, not attached to it.
    hip = pose.hold.joint(f"{pose.stretching_leg}.hip")
    ghosts = tuple(
        k
        for k in pose.keyframes[:-1]
        if math.dist(k.joint(f"{pose.stretching_leg}.hip"), hip) < GHOST_HIP_TOLERANCE
    )
    image = render(pose, pose.hold, size, Extras(ghosts=ghosts, arrow_from=first))
    return encode_png(image)


def draw_animation(pose: Pose, size: tuple[int, int] = style.DEFAULT_SIZE) -> bytes:
    """A looping GIF: from the first keyframe through the others into the hold, a pause, and
    back the same way."""
    frames = animation_frames(pose)
    held = len(_moves(list(pose.keyframes))) - 1
    durations = [
        REST_MS if i == 0 else HOLD_MS if i == held else FRAME_MS for i in range(len(frames))
    ]
    images = [render(pose, f, size, supersample=style.SUPERSAMPLE_MOVING) for f in frames]
    return _gif(images, durations, held=held)


def animation_frames(pose: Pose) -> list[Keyframe]:
    """The keyframes the animation shows, in order: into the hold, then back (without the
    first keyframe again: the loop starts there)."""
    path = list(pose.keyframes)
    return [*_moves(path), *_moves(path[::-1])[1:-1]]


def _moves(path: list[Keyframe]) -> list[Keyframe]:
    out = [path[0]]
    for a, b in itertools.pairwise(path):
        for i in range(1, STEP_FRAMES + 1):
            t = skeleton.ease(i / STEP_FRAMES)
            out.append(skeleton.interpolate(a, b, t) if i < STEP_FRAMES else b)
    return out


def _gif(images: list[Image.Image], durations: list[int], held: int) -> bytes:
    # One palette for every frame, taken from the first and the held frame side by side: a
    # colour never flickers between frames, and the same pose always gives the same bytes.
    first, held_image = images[0], images[held]
    sample = Image.new("RGB", (first.width * 2, first.height))
    sample.paste(first, (0, 0))
    sample.paste(held_image, (first.width, 0))
    palette = sample.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return buffer.getvalue()


# -- content hash and cache --------------------------------------------------------------------


def picture_key(pose: Pose, kind: str, size: tuple[int, int] = style.DEFAULT_SIZE) -> str:
    """The content hash naming a picture: the same pose, kind and size always give the same
    key, any change to them (or to DRAWING_VERSION) a new one. Store Telegram's file_id per
    bot under this key."""
    blob = json.dumps(
        [DRAWING_VERSION, kind, list(size), dataclasses.asdict(pose)],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Picture:
    """A drawn picture, ready to send."""

    key: str  # content hash (picture_key)
    kind: str  # "still", "animation" or "leg-angle"
    data: bytes
    mime: str  # image/png or image/gif

    @property
    def filename(self) -> str:
        return f"{self.key}.{'gif' if self.kind == 'animation' else 'png'}"


class Pictures:
    """Draws each picture once: kept in memory (the most recent `keep` of them) and, when
    `cache_dir` is given, on disk under its content hash so a restart draws nothing again.
    Thread-safe: the session code draws in worker threads."""

    def __init__(self, cache_dir: Path | None = None, keep: int = 32) -> None:
        self.cache_dir = cache_dir
        self.keep = keep
        self._memory: OrderedDict[str, Picture] = OrderedDict()
        self._lock = threading.Lock()
        self.drawn = 0  # how many pictures were actually drawn (for tests and metrics)

    def still(self, pose: Pose, size: tuple[int, int] = style.DEFAULT_SIZE) -> Picture:
        """The pose held, a PNG."""
        return self._get(pose, "still", size, lambda: draw_still(pose, size))

    def animation(self, pose: Pose, size: tuple[int, int] = style.DEFAULT_SIZE) -> Picture:
        """Into the pose and back, a looping GIF."""
        return self._get(pose, "animation", size, lambda: draw_animation(pose, size))

    def leg_angle(self, degrees: int, size: tuple[int, int] = style.DEFAULT_SIZE) -> Picture:
        """The mobility check's picture of the leg at `degrees` (issue 17), a PNG."""
        pose = leg_angle_pose(degrees)
        return self._get(pose, "leg-angle", size, lambda: draw_leg_angle(degrees, size))

    def _get(
        self, pose: Pose, kind: str, size: tuple[int, int], draw: Callable[[], bytes]
    ) -> Picture:
        key = picture_key(pose, kind, size)
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        mime = "image/gif" if kind == "animation" else "image/png"
        picture = self._from_disk(key, kind, mime)
        if picture is None:
            data = draw()
            picture = Picture(key=key, kind=kind, data=data, mime=mime)
            self._to_disk(picture)
            with self._lock:
                self.drawn += 1
        with self._lock:
            self._memory[key] = picture
            while len(self._memory) > self.keep:
                self._memory.popitem(last=False)
        return picture

    def _from_disk(self, key: str, kind: str, mime: str) -> Picture | None:
        if self.cache_dir is None:
            return None
        probe = Picture(key=key, kind=kind, data=b"", mime=mime)
        try:
            data = (self.cache_dir / probe.filename).read_bytes()
        except OSError:
            return None
        return Picture(key=key, kind=kind, data=data, mime=mime)

    def _to_disk(self, picture: Picture) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed: another process reading the cache
            # never sees half a file.
            tmp = self.cache_dir / f".{picture.filename}.{threading.get_ident()}.tmp"
            tmp.write_bytes(picture.data)
            tmp.replace(self.cache_dir / picture.filename)
        except OSError:
            pass  # a cache that cannot be written only costs drawing again
