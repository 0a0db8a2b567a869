# The two commands: `make run` and `make test`. Everything else is a step of theirs.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
DATA_DIR ?= data

.PHONY: all deps test-deps configure build server run test unit integration lint sanitize fuzz chaos bench clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR)

# Only the server: the tests and benchmarks are built by `make build` and `make test`.
server: configure
	@cmake --build $(BUILD_DIR) --target writeen-chat

run: server
	@scripts/run-dev.sh $(BUILD_DIR)/writeen-chat $(DATA_DIR)

test: test-deps
	@scripts/test.sh

unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure

lint: configure
	@scripts/lint.sh $(BUILD_DIR)

# The sanitizer steps of `make test` on their own: the integration suite under ASan+UBSan and the
# unit tests under TSan (build-asan, build-tsan).
sanitize: test-deps
	@scripts/sanitizers.sh asan
	@scripts/sanitizers.sh tsan

# Every libFuzzer target for FUZZ_SECONDS each (CI: 60).
FUZZ_SECONDS ?= 60
fuzz: test-deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# kill -9 under load, CHAOS_KILLS times (see scripts/chaos.sh).
CHAOS_KILLS ?= 100
chaos: build
	@scripts/chaos.sh $(CHAOS_KILLS)

bench: build
	@scripts/bench.sh $(SCENARIO)

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz
