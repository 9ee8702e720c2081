# vmdns: the two commands a newcomer needs are `make run` and `make test` (see README.md).

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:5353
CMAKE_GEN  := -G Ninja
# Debug information of the release build: full by default, so that `make run`'s binary is
# debuggable; line tables only in CI, whose builds are thrown away (a third less compile time).
# The sanitizer build keeps line tables only: its reports need no more.
ifeq ($(CI),true)
DEBUG_INFO ?= lines
else
DEBUG_INFO ?= full
endif

.PHONY: all bootstrap build run test test-release test-sanitize test-thread clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DVMDNS_DEBUG_INFO=$(DEBUG_INFO) > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@echo
	@echo "vmdns serves examples/ on $(LISTEN). In another terminal, try:"
	@echo "  dig @127.0.0.1 -p 5353 myvmi.mysubdomain.default.svc.cluster.local A"
	@echo "  dig @127.0.0.1 -p 5353 vmi-no-hostname.mysubdomain.default.svc.cluster.local A"
	@echo "  dig @127.0.0.1 -p 5353 mysubdomain.default.svc.cluster.local A"
	@echo "  dig @127.0.0.1 -p 5353 nosuchvm.mysubdomain.default.svc.cluster.local A   # NXDOMAIN"
	@echo "  kdig @127.0.0.1 -p 5353 +tcp cluster.local SOA"
	@echo "Ctrl-C stops it."
	@echo
	@exec $(BUILD)/vmdns serve -f examples --listen $(LISTEN)

# Every test: the release build's unit and integration tests; then under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang) the unit tests, bounded fuzzer runs and the integration
# suites that exercise threads and parsers; then under ThreadSanitizer (clang) the unit tests of
# the modules that run threads and the daemon stress test; last, how many tests were skipped (a
# skip is not a pass; under CI=true any skip fails).
test: test-release test-sanitize test-thread
	@tests/testing/skip_count.py $(BUILD)/ctest-junit.xml $(ASAN_BUILD)/ctest-junit.xml \
		$(TSAN_BUILD)/ctest-junit.xml

test-release: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --output-junit ctest-junit.xml

test-sanitize: bootstrap
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_CXX_COMPILER=clang++ -DVMDNS_SANITIZE=ON -DVMDNS_FUZZ=ON \
		-DVMDNS_DEBUG_INFO=lines > /dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --output-junit ctest-junit.xml

# Only the test binaries (target thread_tests), not the binary, the fuzzers, the tests of
# modules without threads or the test files marked THREAD_FREE: ThreadSanitizer sees races,
# which need threads to happen.
test-thread: bootstrap
	@cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_CXX_COMPILER=clang++ -DVMDNS_SANITIZE_THREAD=ON \
		-DVMDNS_DEBUG_INFO=lines > /dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target thread_tests
	@cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS) --output-junit ctest-junit.xml

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
