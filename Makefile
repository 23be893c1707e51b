# Developer entry points; CMake does the building. See README.md.
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=

.PHONY: all deps demo check sanitize install format clean

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

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	find include lib cli tests fuzz bench -name '*.[ch]' -print0 | xargs -0 clang-format -i

clean:
	rm -rf build build-sanitize
