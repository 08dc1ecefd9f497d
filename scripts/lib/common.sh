# Shared shell helpers for scripts/bootstrap and scripts/odoo-test (sourced, not run).
# shellcheck shell=bash

# The one place that names the unprivileged account Odoo, Chromium and the private
# PostgreSQL clusters run as: PostgreSQL refuses to run as root, and Odoo must not.
RUNTIME_USER="${L10N_CR_RUNTIME_USER:-odoo}"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo19}"
VENV="${VENV:-$REPO_ROOT/.venv}"
# Debian's interpreter on purpose: a pyenv/other python first on PATH would give a venv
# whose compiled wheels and headers do not match the python3-dev we install.
SYSTEM_PYTHON="${SYSTEM_PYTHON:-/usr/bin/python3.11}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run one step, print its name and how long it took. Under `set -e`
# a failing step ends the script; the EXIT trap below names the step that failed.
CURRENT_STEP=""
step() {
    CURRENT_STEP="$1"; shift
    STEP_T0=$SECONDS
    log "==> $CURRENT_STEP"
    "$@"
    log "<== $CURRENT_STEP done in $((SECONDS - STEP_T0)) s"
    CURRENT_STEP=""
}

# Cleanup commands run at exit, last registered first.
EXIT_HOOKS=()
add_exit_hook() { EXIT_HOOKS+=("$1"); }
_common_exit() {
    local rc=$? i
    if [ $rc -ne 0 ] && [ -n "$CURRENT_STEP" ]; then
        log "<== $CURRENT_STEP FAILED (exit $rc) after $((SECONDS - STEP_T0)) s"
    fi
    for ((i = ${#EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${EXIT_HOOKS[$i]}" || true
    done
    exit $rc
}
trap _common_exit EXIT

require_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 must run as root (it installs packages and creates the '$RUNTIME_USER' account)"
}

as_runtime_user() {
    if [ "$(id -un)" = "$RUNTIME_USER" ]; then
        "$@"
    else
        runuser -u "$RUNTIME_USER" -- "$@"
    fi
}

# The runtime user must reach the checkout (addons, editable src) and the venv. A clone
# under a private home such as /root is not traversable, so grant that one user search
# permission (ACL, x only: no listing, no reading of anything else) on the ancestors
# that block it, and read + search on the given directory itself when it is not readable.
# Walk top-down: a named-user ACL entry overrides the "other" bits, so it must only be
# added where the runtime user has no access at all.
grant_runtime_user_traverse() {
    local path
    for path in "$@"; do
        local target dir="" part
        target="$(cd "$path" && pwd)"
        local -a parts
        IFS='/' read -ra parts <<< "${target#/}"
        for part in "${parts[@]}"; do
            dir="$dir/$part"
            [ -d "$dir" ] || continue
            if ! runuser -u "$RUNTIME_USER" -- test -x "$dir"; then
                command -v setfacl >/dev/null ||
                    die "setfacl missing (package acl): cannot let '$RUNTIME_USER' reach $dir"
                setfacl -m "u:$RUNTIME_USER:--x" "$dir"
                log "granted '$RUNTIME_USER' traverse (x) permission on $dir"
            fi
        done
        # The directory itself must be listable too: a checkout made in a mktemp -d directory
        # (mode 0700) is the directory, not one of its ancestors.
        if ! runuser -u "$RUNTIME_USER" -- test -r "$target"; then
            setfacl -m "u:$RUNTIME_USER:r-x" "$target"
            log "granted '$RUNTIME_USER' read and traverse (r-x) permission on $target"
        fi
        runuser -u "$RUNTIME_USER" -- test -r "$target" ||
            die "'$RUNTIME_USER' cannot read $target (check the checkout's permissions / umask)"
    done
}

# find_shared_hacienda DIR: print Hacienda's shared material (official XSDs, samples,
# catalogues, PKI certificates), which is used by path and never copied into the repository.
# It lives as shared/hacienda in a directory above the checkout. A worktree finds it above
# its main checkout, and a clone made elsewhere (CI clones into a temporary directory) above
# the repository it was cloned from.
find_shared_hacienda() {
    local root="$1" common origin base
    local -a bases=("$root")
    common="$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" &&
        bases+=("$(dirname "$common")")
    origin="$(git -C "$root" config --get remote.origin.url 2>/dev/null)"
    case "$origin" in
        /*) bases+=("$origin") ;;
        file://*) bases+=("${origin#file://}") ;;
    esac
    for base in "${bases[@]}"; do
        while [ -n "$base" ] && [ "$base" != "/" ]; do
            if [ -d "$base/shared/hacienda/xsd/v4.4" ]; then
                (cd "$base/shared/hacienda" && pwd)
                return 0
            fi
            base="$(dirname "$base")"
        done
    done
    return 1
}
