# Developer entry points; CMake does the building. See README.md.
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all deps demo check sanitize valgrind fuzz bench install format clean

all: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMG_DEVELOPER=ON $(CMAKE_FLAGS)

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) all
	examples/demo.sh $(BUILD)/modelgate

check: deps
	$(MAKE) all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize: deps
	$(MAKE) all BUILD=build-sanitize CMAKE_FLAGS="-DMG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
	cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# The end-to-end suite (case folders and scripts, all but the latency
# benchmark) with the binary under valgrind memcheck; any error fails it.
valgrind: deps
	$(MAKE) all
	tests/valgrind/run.sh $(BUILD)/modelgate

# libFuzzer on each target (FUZZ_TARGETS, default all: see fuzz/CMakeLists.txt)
# for FUZZ_SECONDS each (clang, ASan+UBSan). New inputs go to
# build-fuzz/corpus/NAME, crashes to build-fuzz/crash-*; copy a crash into
# fuzz/corpus/NAME/ to make `make check` replay it.
# FUZZ_RUNS > 0 stops each target after that many inputs and FUZZ_SEED > 0
# fixes libFuzzer's random seed: together they make a run repeatable (CI's
# smoke), whatever the machine's speed (a slower one runs a prefix of it).
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 0
FUZZ_SEED ?= 0
FUZZ_TARGETS ?= parquet csv xgboost_model runner_protocol onnx policy partial
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMG_FUZZ=ON \
	    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	    "-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	    "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
	set -e; for t in $(FUZZ_TARGETS); do \
	    cmake --build build-fuzz -j $(JOBS) --target fuzz_$$t; \
	    mkdir -p build-fuzz/corpus/$$t; \
	    ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -runs=$$( [ $(FUZZ_RUNS) -gt 0 ] && echo $(FUZZ_RUNS) || echo -1) -seed=$(FUZZ_SEED) \
	        -timeout=10 -rss_limit_mb=2048 -artifact_prefix=build-fuzz/ \
	        build-fuzz/corpus/$$t fuzz/corpus/$$t; \
	done

# modelgate against pandas + scikit-learn, DuckDB and cat on generated data
# (bench/README.md); not part of check. BENCH_ROWS=10000000, BENCH_REPS,
# BENCH_PEERS, BENCH_STATS=1 and BENCH_LINEAR are read by bench/run.sh.
bench:
	$(MAKE) all
	BENCH_MG=$(BUILD)/modelgate bench/run.sh

install: $(BUILD)/Makefile
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

format:
	find include lib cli tests fuzz bench -name '*.[ch]' -print0 | xargs -0 clang-format -i

clean:
	rm -rf build build-sanitize build-fuzz
