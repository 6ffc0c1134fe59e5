#!/usr/bin/env bash
# The OCR models of identity capture (crate `ocr/`), fetched from PyPI into a
# cache folder outside the clone; idempotent and quiet when present.
#
#   bash scripts/ocr-models.sh          # installs if absent, prints the folder
#
# Two wheels, downloaded with `pip download --no-deps` (nothing is installed
# into any Python environment) and unpacked:
#   - rapidocr-onnxruntime: the PP-OCRv4 text detection (DB) and recognition
#     models and the PP-OCR direction classifier, as ONNX. The recognition
#     model carries its character dictionary in its metadata (`character`),
#     which the `ocr` crate reads from there.
#   - onnxruntime: libonnxruntime.so, which the `ort` crate loads at run time
#     (feature `load-dynamic`); Linux x86-64 only (Android: docs/ARCHITECTURE.md).
# Both versions are pinned here; a new pin is a reviewed change.
#
# Folder: $ZHIFA_OCR_MODELS, default ~/.cache/zhifa/ocr-models, holding
# det.onnx, cls.onnx, rec.onnx, libonnxruntime.so and VERSION. The tests and
# `zhifa identity read` find it through ZHIFA_OCR_MODELS or that default.
set -euo pipefail

RAPIDOCR_VERSION="1.4.4"
ONNXRUNTIME_VERSION="1.32.0"
dest="${ZHIFA_OCR_MODELS:-$HOME/.cache/zhifa/ocr-models}"
stamp="rapidocr-onnxruntime==$RAPIDOCR_VERSION onnxruntime==$ONNXRUNTIME_VERSION"

if [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$stamp" ] \
  && [ -s "$dest/det.onnx" ] && [ -s "$dest/cls.onnx" ] && [ -s "$dest/rec.onnx" ] && [ -s "$dest/libonnxruntime.so" ]; then
  echo "$dest"
  exit 0
fi

case "$(uname -m)" in
  x86_64) platform="manylinux_2_28_x86_64" ;;
  aarch64) platform="manylinux_2_28_aarch64" ;;
  *) echo "ocr-models.sh: no onnxruntime wheel for $(uname -m)" >&2; exit 1 ;;
esac

# Debian's interpreter first; any python3 else. pip comes from the moto venv
# (scripts/s3.sh) when the system python has none.
py="/usr/bin/python3"
[ -x "$py" ] || py="$(command -v python3)"
pip=("$py" -m pip)
if ! "$py" -m pip --version >/dev/null 2>&1; then
  venv="${MOTO_VENV:-$HOME/.cache/zhifa/tools/moto-venv}"
  [ -x "$venv/bin/pip" ] || MOTO_VENV="$venv" bash "$(dirname "$0")/s3.sh" install
  pip=("$venv/bin/pip")
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/zhifa-ocr.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "ocr-models.sh: downloading $stamp from PyPI" >&2
"${pip[@]}" download -q --disable-pip-version-check --no-deps -d "$work" \
  "rapidocr-onnxruntime==$RAPIDOCR_VERSION" >&2
# The onnxruntime wheel is per Python version; any one carries the same
# libonnxruntime.so, so ask for a fixed one and a binary wheel only.
"${pip[@]}" download -q --disable-pip-version-check --no-deps -d "$work" \
  --only-binary=:all: --python-version 3.11 --platform "$platform" \
  "onnxruntime==$ONNXRUNTIME_VERSION" >&2

"$py" - "$work" <<'EOF'
import sys, zipfile, glob, os
work = sys.argv[1]
out = os.path.join(work, "out")
os.makedirs(out)
wanted = {
    "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx": "det.onnx",
    "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx": "cls.onnx",
    "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx": "rec.onnx",
}
for whl in glob.glob(os.path.join(work, "*.whl")):
    with zipfile.ZipFile(whl) as z:
        for name in z.namelist():
            target = wanted.get(name)
            if target is None and name.startswith("onnxruntime/capi/libonnxruntime.so."):
                target = "libonnxruntime.so"
            if target:
                with z.open(name) as src, open(os.path.join(out, target), "wb") as dst:
                    dst.write(src.read())
missing = [t for t in list(wanted.values()) + ["libonnxruntime.so"] if not os.path.exists(os.path.join(out, t))]
if missing:
    sys.exit("ocr-models.sh: not in the wheels: " + ", ".join(missing))
EOF

mkdir -p "$dest"
for f in det.onnx cls.onnx rec.onnx libonnxruntime.so; do
  mv -f "$work/out/$f" "$dest/$f"
done
echo "$stamp" > "$dest/VERSION"
echo "$dest"
