# Sourced by .ci/run and scripts/test.sh: `stage NAME` closes the stage before
# it and opens NAME, printing the elapsed time; `stage_end` closes the last.
# With MLFOLIO_TIMES set, each closed stage is also appended to that file as
# `stage<TAB>NAME<TAB>seconds` for scripts/ci_times.py's table.
_STAGE_T0=${_STAGE_T0:-$(date +%s)}
_STAGE_NAME=""
_STAGE_START=$_STAGE_T0

stage_end() {
    local now
    now=$(date +%s)
    if [ -n "$_STAGE_NAME" ] && [ -n "${MLFOLIO_TIMES:-}" ]; then
        printf 'stage\t%s\t%s\n' "$_STAGE_NAME" "$((now - _STAGE_START))" >>"$MLFOLIO_TIMES"
    fi
    _STAGE_NAME=""
    _STAGE_START=$now
}

stage() {
    stage_end
    _STAGE_NAME="$*"
    echo "=== [$((_STAGE_START - _STAGE_T0))s] $*"
}
