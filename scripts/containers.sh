# Sourced by scripts/test.sh (after scripts/stages.sh): a Docker engine, local
# base images and a browser for the container and browser tests.
#
# As root with apt (CI, a fresh machine), it installs docker.io, mmdebstrap,
# chromium, docker-compose and postgresql, starts dockerd in the background
# on a throwaway store (stopped by PID and discarded when the tests end) and
# builds one local base image per Python version it can. Elsewhere it
# uses what is there; the container tests skip with the reason, unless
# MLFOLIO_REQUIRE_DOCKER=1 (set by .ci/run) turns a missing piece into a failure.

# Python version -> Debian suite whose python3 is that version.
MLFOLIO_BASE_SUITES="3.11:bookworm 3.13:trixie"
DOCKERD_PID=""

containers_up() {
    mkdir -p "$ROOT/build"  # logs: dockerd, base images
    stage "system packages: docker.io, mmdebstrap, chromium, docker-compose, postgresql"
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
    # Git LFS: the tested way to ship a trained model (tests/test_model_shipping.py).
    git lfs version >/dev/null 2>&1 || missing+=(git-lfs)
    if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    stage "Docker engine"
    if ! docker info >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
        local data_root=()
        if disposable_storage_up; then
            data_root=(--data-root "$DOCKER_DATA")
            # Nothing to clean image by image: the whole store goes at the end.
            export MLFOLIO_DOCKER_DISPOSABLE=1
        fi
        dockerd "${data_root[@]}" >"$ROOT/build/dockerd.log" 2>&1 &
        DOCKERD_PID=$!
        for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
    if ! docker info >/dev/null 2>&1; then
        echo "no Docker engine: container tests will not run here"
        return 0
    fi
    MLFOLIO_DOCKER_BUILD=$(buildkit_client) || {
        echo "no docker client that builds with BuildKit: container tests will not run here"
        return 0
    }
    export MLFOLIO_DOCKER_BUILD
    echo "BuildKit builds with: $MLFOLIO_DOCKER_BUILD"
    stage "base images (mmdebstrap)"
    # Both at once: each mostly waits on the Debian mirror.
    local images=() pids=() pair version suite i=0
    for pair in $MLFOLIO_BASE_SUITES; do
        version=${pair%%:*}
        suite=${pair#*:}
        "$ROOT/scripts/base_image.sh" "$suite" "mlfolio-base:py$version" \
            >"$ROOT/build/base-image-py$version.log" 2>&1 &
        pids+=($!)
    done
    for pair in $MLFOLIO_BASE_SUITES; do
        version=${pair%%:*}
        suite=${pair#*:}
        if wait "${pids[$i]}"; then
            images+=("$version=mlfolio-base:py$version")
            tail -n 1 "$ROOT/build/base-image-py$version.log"
        else
            echo "warning: no base image for Python $version (Debian $suite):"
            tail -n 20 "$ROOT/build/base-image-py$version.log"
        fi
        i=$((i + 1))
    done
    MLFOLIO_BASE_IMAGES=$(IFS=,; echo "${images[*]}")
    export MLFOLIO_BASE_IMAGES
    echo "base images: $MLFOLIO_BASE_IMAGES"
}

# The images need BuildKit (RUN --mount=type=cache). A docker CLI from 23 on
# builds through its buildx plugin; Debian's docker.io (20.10) has BuildKit in
# its own client and no buildx package. Prints the first client that can.
buildkit_client() {
    local client major
    for client in docker /usr/bin/docker; do
        command -v "$client" >/dev/null || continue
        if "$client" buildx version >/dev/null 2>&1; then
            echo "$client"
            return 0
        fi
        major=$("$client" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)
        if [ -n "$major" ] && [ "$major" -ge 18 ] 2>/dev/null && [ "$major" -lt 23 ]; then
            echo "$client"
            return 0
        fi
    done
    return 1
}

# The engine we start keeps its images, build cache and containers on a
# filesystem of its own: a sparse file, loop-mounted. A run writes some 30 GB
# there (two dozen images, uv's wheel cache) in hundreds of thousands of files;
# deleting those one by one (`docker rmi`, then the build cache) took 405 s of
# the suite, while unmounting and deleting one sparse file takes a second.
# Returns non-zero where loop devices cannot be used; dockerd then keeps its
# usual store and the tests remove their images themselves.
DOCKER_DISK=/var/tmp/mlfolio-docker.img
DOCKER_DATA=/var/lib/mlfolio-docker
DOCKER_DATA_MOUNTED=""

disposable_storage_up() {
    command -v mkfs.ext4 >/dev/null && command -v losetup >/dev/null || return 1
    disposable_storage_down  # what an interrupted run left
    # Sparse: only what is written takes space. Three quarters of what is free.
    local free_kb
    free_kb=$(df -Pk /var/tmp | awk 'NR == 2 {print $4}')
    truncate -s "$((free_kb * 3 / 4))K" "$DOCKER_DISK" || return 1
    mkdir -p "$DOCKER_DATA"
    # noinit_itable: no background zeroing of inode tables on a throwaway disk.
    if mkfs.ext4 -q -F "$DOCKER_DISK" && mount -o loop,noinit_itable "$DOCKER_DISK" "$DOCKER_DATA"; then
        DOCKER_DATA_MOUNTED=1
        return 0
    fi
    rm -f "$DOCKER_DISK"
    return 1
}

disposable_storage_down() {
    if mountpoint -q "$DOCKER_DATA"; then
        umount "$DOCKER_DATA" 2>/dev/null || umount --lazy "$DOCKER_DATA"
    fi
    rm -f "$DOCKER_DISK"
}

containers_down() {
    if [ -n "$DOCKERD_PID" ]; then
        kill "$DOCKERD_PID" 2>/dev/null || true
        wait "$DOCKERD_PID" 2>/dev/null || true
        # dockerd leaves its bridge behind; later network tests should not see it.
        ip link delete docker0 2>/dev/null || true
        if [ -n "$DOCKER_DATA_MOUNTED" ]; then
            disposable_storage_down
        else
            echo "docker's store is $(du -sh /var/lib/docker 2>/dev/null | cut -f1): 'docker system prune' frees it"
        fi
    fi
}
