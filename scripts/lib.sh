# Shared by the scripts: find (or install) uv, the project's package manager.
ensure_uv() {
    if command -v uv >/dev/null 2>&1; then
        UV="uv"
    else
        python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.13"
        UV="python3 -m uv"
    fi
    export UV
}
