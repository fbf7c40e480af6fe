# Shared by the quick-start and test scripts: a virtualenv with the project's dependencies,
# the Debian packages they need, and compiled translations. Safe to run again: it only
# does what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    echo "Please run as root: $*" >&2
    exit 1
  fi
}

# install_debian_packages PACKAGE... : installs those of them that are missing.
install_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

ensure_venv() {
  # libmagic judges uploads by content; ffmpeg checks videos and strips their metadata;
  # gettext compiles the translations.
  install_debian_packages python3-venv libmagic1 ffmpeg gettext "$@"
  if [ ! -x "$PY" ]; then
    say "Creating the virtualenv in .venv"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "Installing Python dependencies"
    # Exactly the pinned versions and files (requirements.lock, written by `make lock`).
    "$PY" -m pip install -q --require-hashes -r requirements.lock
    "$PY" -m pip install -q --no-deps -e .
    touch "$stamp"
  fi
  "$PY" manage.py compilemessages --ignore=.venv -v0
}
