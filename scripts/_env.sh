# Shared by scripts/*: where the project environment lives and how to run inside it.
# Sourced, not executed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
# The newest Home Assistant release, for the standing end-to-end check (scripts/setup).
NEWEST_VENV="$ROOT/.venv-newest"
CHROOT="$ROOT/.chroot"
MIN_PY="3.14.2"

# Returns 0 when $1 is a python interpreter of at least $MIN_PY.
py_ok() {
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= tuple(map(int, '$MIN_PY'.split('.'))) else 1)" \
    >/dev/null 2>&1
}

# The environment is "chroot" when the venv was built inside the Debian sid chroot
# (its interpreter only exists there), otherwise "host".
env_kind() {
  if [ -f "$VENV/.face_terminal_chroot" ]; then echo chroot; else echo host; fi
}

# Run a command inside the project environment, with $VENV/bin first on PATH and the
# working directory kept. In the chroot case every mount lives in a private mount
# namespace, so nothing stays mounted when the command ends (a later `rm -rf` of the
# checkout can never reach the host's /dev through a forgotten bind mount).
in_env() {
  local cwd
  cwd="$(pwd)"
  if [ "$(env_kind)" = chroot ]; then
    unshare --mount --propagation private -- /bin/bash -c '
      set -e
      c="$1"; root="$2"; cwd="$3"; shift 3
      mount -t proc proc "$c/proc"
      mount --rbind /dev "$c/dev"
      mount --rbind /sys "$c/sys" 2>/dev/null || true
      mkdir -p "$c$root"
      mount --bind "$root" "$c$root"
      exec chroot "$c" /usr/bin/env -C "$cwd" PATH="$root/.venv/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        HOME="${HOME:-/root}" LANG=C.UTF-8 "$@"
    ' _ "$CHROOT" "$ROOT" "$cwd" "$@"
  else
    PATH="$VENV/bin:$PATH" "$@"
  fi
}
