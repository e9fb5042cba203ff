"""Following the customer's face through a burst: with dlib's HOG detector, each later frame is
searched only near the face of the frame before it; with YuNet (the default) each frame is searched
in full, which costs what HOG's window does.

The kiosk takes its frames 250 ms apart while the customer turns the head or blinks; in that time
a face moves a fraction of its width. The full search of a 640×480 frame (dlib's HOG on every
position and scale) costs ~30 ms; a window around the previous face, shrunk so that face is
TRACK_FACE_PX wide, ~5 ms. The landmarks are still taken on the frame itself.

The window is a shortcut: when it shows no face, or the frame is not the previous frame's size,
the frame is searched in full, and ``face_jump`` tells whether the face found there can be the
previous one a moment later (a photo swapped for another held elsewhere cannot).
"""

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from .embedding import Frame, frame_of
from .faces import Face, face_at, find_faces, proposals_in_use
from .images import DETECTION_MAX_SIDE, ImageInput, load_reduced
from .quality import check_face_count_and_size

# The search window: the previous face box grown by this fraction of its width on every side.
TRACK_MARGIN = 0.5
# The window is shrunk so that the previous face is this wide. dlib's detector finds faces from
# 80 px, so the face may shrink by a fifth (stepping back, turning) before the window misses it.
TRACK_FACE_PX = 100
# Between two frames the face's centre may move this many widths of the previous face, and its
# width change by this factor either way. Rule: the kiosk's frames are 250 ms apart, a head a
# customer turns or leans moves well under a face width in that time; 1.5 leaves room for a hurried
# customer and the no-JavaScript path's separate photos, and refuses a face that reappears
# elsewhere in the picture.
MAX_SHIFT = 1.5
MAX_RESIZE = 1.5


@dataclass(frozen=True)
class _Box:
    """A face box in original-picture pixels (frames of one burst may be decoded at other scales)."""

    left: float
    top: float
    width: float
    height: float

    @classmethod
    def of(cls, frame: Frame) -> "_Box":
        left, top, right, bottom = (v * frame.scale for v in frame.face.box)
        return cls(left, top, right - left, bottom - top)

    @property
    def centre(self) -> np.ndarray:
        return np.array([self.left + self.width / 2, self.top + self.height / 2])


def frame_next(image: ImageInput | Frame, previous: Frame) -> Frame:
    """The burst's next frame, its face looked for near ``previous``'s face first.

    A frame of another size than the previous one (not one camera's burst) is searched in full.
    Raises FaceRefused (no face, several, too small, unreadable) as ``frame_of`` does.
    """
    if isinstance(image, Frame):
        return image
    if not window_search_in_use():
        # The decision's own search for every frame. YuNet's whole-frame search costs what HOG's
        # window does, and its boxes are a function of the face alone. With YuNet's proposals
        # confirmed by HOG, the window's plain HOG would give boxes of another kind, and the
        # landmarks move with the box (a still frame's eye ratio 0.336 against 0.401), so one
        # burst must not mix the two.
        return frame_of(image)
    source = image.read() if hasattr(image, "read") else image
    rgb, scale = load_reduced(source, long_side=DETECTION_MAX_SIDE)
    if scale == previous.scale and rgb.shape == previous.rgb.shape:
        face = face_near(rgb, previous.face, scale=scale)
        if face is not None:
            return Frame(rgb, face, scale)
    return frame_of(source)


def window_search_in_use() -> bool:
    """Whether later frames are searched in a window (dlib's HOG alone, where a whole-frame search
    is five times the window's cost) rather than in full."""
    return settings.BIOMETRICS_DETECTOR == "dlib" and not proposals_in_use()


def face_near(rgb: np.ndarray, previous: Face, *, scale: int = 1) -> Face | None:
    """The face within the window around ``previous``'s box (pixels of ``rgb``), or None.

    ``scale``: original pixels per pixel of ``rgb``, for the size limit. Raises FaceRefused when
    the window holds a second face that counts (``check_face_count_and_size``) or a too small one.
    """
    left, top, right, bottom = previous.box
    margin = TRACK_MARGIN * previous.width
    height, width = rgb.shape[:2]
    x0, y0 = max(0, round(left - margin)), max(0, round(top - margin))
    x1, y1 = min(width, round(right + margin)), min(height, round(bottom + margin))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    window = np.ascontiguousarray(rgb[y0:y1, x0:x1])  # dlib wants contiguous pixels
    shrink = min(1.0, TRACK_FACE_PX / max(previous.width, 1))
    faces = find_faces(window, detection_side=round(max(window.shape[:2]) * shrink), upsample=False)
    if not faces:
        return None
    check_face_count_and_size([round(face.width * scale) for face in faces])
    found_left, found_top, found_right, found_bottom = faces[0].box
    # Landmarks again on the whole frame: the face's shape must be in the frame's pixels for the
    # aligned crops (a window's edge would also clip the predictor's search).
    return face_at(rgb, (found_left + x0, found_top + y0, found_right + x0, found_bottom + y0))


def face_jump(previous: Frame, frame: Frame) -> dict[str, float] | None:
    """How far the face moved from ``previous`` to ``frame`` when that is more than one person
    does between two frames (centre shift in previous face widths, width ratio); None otherwise."""
    before, now = _Box.of(previous), _Box.of(frame)
    shift = float(np.linalg.norm(now.centre - before.centre)) / max(before.width, 1.0)
    resize = max(now.width, 1.0) / max(before.width, 1.0)
    if shift <= MAX_SHIFT and 1 / MAX_RESIZE <= resize <= MAX_RESIZE:
        return None
    return {"shift": round(shift, 2), "resize": round(resize, 2)}
