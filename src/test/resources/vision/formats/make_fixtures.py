"""Builds the image-format fixtures for ImageDecoderTest and records what Pillow's convert('RGB') gives.

Run from this folder with Debian's python3 + python3-pil 9.4 (the Pillow the goldens use):
    /usr/bin/python3 make_fixtures.py
Writes small images in many modes/formats and expected.json: for each file, Pillow's mode, size,
the sha256 of numpy.asarray(Image.open(f).convert('RGB')) (H x W x 3 uint8, row-major), the EXIF
orientation and the sha256 after ImageOps.exif_transpose (what transformers' load_image gives).
16-bit PNGs are written by hand (Pillow cannot save 16-bit RGB) so the exact samples are known.
Pillow cannot write YCCK, so three 4-channel JPEGs were written once with the JDK's own JPEG writer
(a 37x23 4-band raster, app14Adobe transform 2 = YCCK, transform 0, and no Adobe marker):
ycck_adobe2.jpg, cmyk_adobe0_jdk.jpg, cmyk_noadobe_jdk.jpg. This script keeps them and records
what Pillow makes of them like every other file here.
"""
import hashlib, json, struct, zlib
import numpy as np
from PIL import Image

rng = np.random.default_rng(1234)
W, H = 37, 23
files = {}

def rgb_array():
    y, x = np.mgrid[0:H, 0:W]
    a = np.stack([(x * 7) % 256, (y * 11) % 256, (x * y) % 256], axis=-1).astype(np.uint8)
    a[5:9, 5:20] = rng.integers(0, 256, size=(4, 15, 3))
    return a

base = rgb_array()
alpha = rng.integers(0, 256, size=(H, W), dtype=np.uint8)
gray = base[..., 0]

Image.fromarray(base, "RGB").save("rgb.png")
Image.fromarray(np.dstack([base, alpha]), "RGBA").save("rgba.png")
Image.fromarray(gray, "L").save("l.png")
Image.fromarray(np.dstack([gray, alpha]), "LA").save("la.png")
Image.fromarray(gray > 100).save("bilevel.png")  # mode "1"
pal = Image.fromarray(base, "RGB").quantize(colors=17)
pal.info["transparency"] = 3
pal.save("palette_trns.png", transparency=3)
pal.save("palette.gif")
Image.fromarray(base, "RGB").save("rgb.bmp")
Image.fromarray(base, "RGB").save("rgb_lzw.tif", compression="tiff_lzw")
Image.fromarray(base, "RGB").convert("CMYK").save("cmyk.tif")
frames = [Image.fromarray(np.roll(base, 7 * k, axis=1), "RGB").quantize(colors=32) for k in range(3)]
frames[0].save("animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
Image.fromarray(base, "RGB").save("rgb_q90_420.jpg", quality=90, subsampling=2)
Image.fromarray(base, "RGB").save("rgb_q95_444.jpg", quality=95, subsampling=0)
Image.fromarray(gray, "L").save("gray.jpg", quality=90)
Image.fromarray(base, "RGB").convert("CMYK").save("cmyk.jpg", quality=95)
Image.fromarray(base, "RGB").save("lossless.webp", lossless=True)
Image.fromarray(base, "RGB").save("lossy.webp", quality=80)
Image.fromarray(np.dstack([base, alpha]), "RGBA").save("rgba_lossless.webp", lossless=True)

# EXIF orientation (transformers' load_image applies ImageOps.exif_transpose before convert('RGB'))
for o in range(2, 9):
    ex = Image.Exif()
    ex[0x0112] = o
    Image.fromarray(base, "RGB").save(f"exif{o}.jpg", quality=95, subsampling=0, exif=ex.tobytes())
ex = Image.Exif()
ex[0x0112] = 6
Image.fromarray(base, "RGB").save("exif6.png", exif=ex.tobytes())
ex[0x0112] = 8
Image.fromarray(base, "RGB").save("exif8.webp", lossless=True, exif=ex.tobytes())

def png(path, width, height, bit_depth, color_type, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))

s16 = rng.integers(0, 65536, size=(H, W, 4), dtype=np.uint16)
s16[0, :8, 0] = [0, 1, 255, 256, 257, 1000, 65280, 65535]  # edge values for the 16-bit rules
Image.fromarray((s16[..., 0] % 700).astype(np.uint16), "I;16").save("gray16.tif")
png("rgb16.png", W, H, 16, 2, [s16[y, :, :3].astype(">u2").tobytes() for y in range(H)])
png("rgba16.png", W, H, 16, 6, [s16[y].astype(">u2").tobytes() for y in range(H)])
png("gray16.png", W, H, 16, 0, [s16[y, :, 0].astype(">u2").tobytes() for y in range(H)])
png("gray16_small.png", W, H, 16, 0, [(s16[y, :, 0] % 300).astype(">u2").tobytes() for y in range(H)])
png("graya16.png", W, H, 16, 4, [s16[y, :, :2].astype(">u2").tobytes() for y in range(H)])
g4 = (base[..., 1] >> 4).astype(np.uint8)
png("gray4.png", W, H, 4, 0, [bytes(((g4[y, 2 * i] << 4) | (g4[y, 2 * i + 1] if 2 * i + 1 < W else 0)) for i in range((W + 1) // 2)) for y in range(H)])

import os
# Subsampled 4-channel JPEGs (chroma upsampling) and lossy WebP (VP8 decoder) are not bit-exact in Java.
NEAR_ONLY = {"ycck_adobe2.jpg", "cmyk_adobe0_jdk.jpg", "lossy.webp"}
for name in sorted(os.listdir(".")):
    if name.endswith((".py", ".json", ".rgb")):
        continue
    im = Image.open(name)
    rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    assert rgb.shape == (im.size[1], im.size[0], 3)
    if name in NEAR_ONLY:  # decoders legitimately differ here: keep Pillow's pixels for a tolerance check
        with open(name + ".rgb", "wb") as f:
            f.write(np.ascontiguousarray(rgb).tobytes())
    from PIL import ImageOps
    upright = np.asarray(ImageOps.exif_transpose(Image.open(name)).convert("RGB"), dtype=np.uint8)
    files[name] = {"mode": im.mode, "width": im.size[0], "height": im.size[1],
                   "rgb_sha256": hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest(),
                   "orientation": im.getexif().get(0x0112, 1),
                   "exif_transposed_sha256": hashlib.sha256(np.ascontiguousarray(upright).tobytes()).hexdigest()}
with open("expected.json", "w") as f:
    json.dump({"pillow": Image.__version__ if hasattr(Image, "__version__") else None, "files": files}, f, indent=1, sort_keys=True)
print(json.dumps(files, indent=1))
