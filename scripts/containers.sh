# Sourced by scripts/test.sh: a Docker engine, local base images and a browser
# for the container and browser tests.
#
# As root with apt (CI, a fresh machine), it installs docker.io, mmdebstrap,
# chromium, docker-compose and postgresql, starts dockerd in the background (stopped by PID when the tests
# end) and builds one local base image per Python version it can. Elsewhere it
# uses what is there; the container tests skip with the reason, unless
# MLFOLIO_REQUIRE_DOCKER=1 (set by .ci/run) turns a missing piece into a failure.

# Python version -> Debian suite whose python3 is that version.
MLFOLIO_BASE_SUITES="3.11:bookworm 3.13:trixie"
DOCKERD_PID=""

containers_up() {
    local missing=()
    # A docker client alone is not enough: without a reachable engine we need dockerd.
    if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null; then
        missing+=(docker.io)
    fi
    command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
    command -v chromium >/dev/null || missing+=(chromium)
    # Not containers, but the same kind of system tool: the compose file's
    # validator and the PostgreSQL server the advanced level's tests run.
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
    if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! docker info >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
        mkdir -p "$ROOT/build"
        dockerd >"$ROOT/build/dockerd.log" 2>&1 &
        DOCKERD_PID=$!
        for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
    if ! docker info >/dev/null 2>&1; then
        echo "no Docker engine: container tests will not run here"
        return 0
    fi
    local images=() pair version suite
    for pair in $MLFOLIO_BASE_SUITES; do
        version=${pair%%:*}
        suite=${pair#*:}
        if "$ROOT/scripts/base_image.sh" "$suite" "mlfolio-base:py$version"; then
            images+=("$version=mlfolio-base:py$version")
        else
            echo "warning: no base image for Python $version (Debian $suite)"
        fi
    done
    MLFOLIO_BASE_IMAGES=$(IFS=,; echo "${images[*]}")
    export MLFOLIO_BASE_IMAGES
    echo "base images: $MLFOLIO_BASE_IMAGES"
}

containers_down() {
    if [ -n "$DOCKERD_PID" ]; then
        kill "$DOCKERD_PID" 2>/dev/null || true
        wait "$DOCKERD_PID" 2>/dev/null || true
        # dockerd leaves its bridge behind; later network tests should not see it.
        ip link delete docker0 2>/dev/null || true
    fi
}
