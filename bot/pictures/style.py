"""One flat style for every picture Limber draws: colours and thicknesses in one place."""

from __future__ import annotations

Colour = tuple[int, int, int]

BACKGROUND: Colour = (248, 245, 239)
FLOOR: Colour = (221, 211, 194)
FLOOR_EDGE: Colour = (176, 161, 138)
BODY: Colour = (52, 63, 86)  # the near side and the trunk
BODY_FAR: Colour = (150, 160, 178)  # the far side, behind the trunk
ACCENT: Colour = (235, 104, 38)  # the stretching leg, and the arrow of its movement
ACCENT_FAR: Colour = (243, 163, 112)  # the stretching leg when it is the far one
GHOST: Colour = (244, 214, 193)  # where the stretching leg started
TOWEL: Colour = (28, 150, 160)
WOOD: Colour = (178, 130, 84)
WOOD_DARK: Colour = (138, 96, 58)
BED_FRAME: Colour = (150, 118, 92)
MATTRESS: Colour = (196, 213, 236)
PILLOW: Colour = (232, 238, 248)
WALL: Colour = (226, 219, 206)
WALL_EDGE: Colour = (170, 157, 136)
GUIDE: Colour = (170, 176, 188)  # reference lines of the leg-angle pictures
INK: Colour = (52, 63, 86)

# Thicknesses in pose units (the picture is 1 unit wide).
HEAD_RADIUS = 0.043
TRUNK_WIDTH = 0.07
NECK_WIDTH = 0.03
LEG_WIDTH = 0.04
FOOT_WIDTH = 0.026
ARM_WIDTH = 0.028
HAND_RADIUS = 0.017
TOWEL_WIDTH = 0.016
ARROW_WIDTH = 0.009
WALL_THICKNESS = 0.05

# Drawn at this multiple of the final size and scaled down: Pillow draws thick lines without
# anti-aliasing, and 3x supersampling gives smooth edges (2x still shows steps on the head).
SUPERSAMPLE = 3
# A moving frame is seen for 50 ms: 2x is smooth enough there and draws in half the time.
SUPERSAMPLE_MOVING = 2
DEFAULT_SIZE = (480, 360)
