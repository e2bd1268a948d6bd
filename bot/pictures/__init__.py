"""Pictures of the stretches, drawn by Limber itself from the pose data in routines.toml.

draw_still(pose, size) -> PNG bytes        the pose held, stretching leg highlighted
draw_animation(pose, size) -> GIF bytes    into the pose and back, looping
draw_leg_angle(degrees, size) -> PNG bytes the mobility check's leg at 30..90 degrees
Pictures(cache_dir).still(pose) / .animation(pose) -> Picture(key, data, mime)
"""

from bot.pictures.media import (
    Picture,
    Pictures,
    animation_frames,
    draw_animation,
    draw_still,
    picture_key,
)
from bot.pictures.mobility import LEG_ANGLES, draw_leg_angle, leg_angle_pose
from bot.pictures.skeleton import with_leg_angle

__all__ = [
    "LEG_ANGLES",
    "Picture",
    "Pictures",
    "animation_frames",
    "draw_animation",
    "draw_leg_angle",
    "draw_still",
    "leg_angle_pose",
    "picture_key",
    "with_leg_angle",
]
