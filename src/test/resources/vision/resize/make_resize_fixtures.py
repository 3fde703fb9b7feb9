"""Pillow bicubic resize fixtures for PillowBicubicTest.

Run from this folder with Debian's python3 + python3-pil 9.4: /usr/bin/python3 make_resize_fixtures.py
Writes two random RGB sources and expected.json: for each (source, width, height) the sha256 of
numpy.asarray(img.resize((w, h), Image.BICUBIC, reducing_gap=None)) (H x W x 3 uint8).
"""
import hashlib, json
import numpy as np
from PIL import Image

rng = np.random.default_rng(42)
sources = {
    "noise_61x47.png": rng.integers(0, 256, size=(47, 61, 3), dtype=np.uint8),
    # smooth + hard edges: exercises both overshoot clipping and plain interpolation
    "blocks_90x33.png": np.kron(rng.integers(0, 256, size=(11, 15, 3)), np.ones((3, 6, 1))).astype(np.uint8),
}
targets = [(32, 32), (128, 96), (61, 100), (200, 47), (7, 5), (333, 17), (1, 1), (45, 180)]
cases = []
for name, arr in sources.items():
    Image.fromarray(arr, "RGB").save(name)
    im = Image.open(name).convert("RGB")
    for w, h in targets:
        if name.startswith("blocks"):
            w, h = w + 3, h + 2
        out = np.asarray(im.resize((w, h), Image.BICUBIC, reducing_gap=None), dtype=np.uint8)
        cases.append({"source": name, "width": w, "height": h,
                      "rgb_sha256": hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest()})
with open("expected.json", "w") as f:
    json.dump({"cases": cases}, f, indent=1)
print(len(cases), "cases")
