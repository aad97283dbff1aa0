# Thin driver over CMake (as Neovim does). The two set-up commands:
#   make run    install missing packages, build (Release), analyse the bundled capture
#   make test   build with ASan+UBSan and run the whole suite through ctest
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# The bundled capture: a NAT router in front of two backends that present
# different certificates by client subnet (pcaps/diag/README.md), judged
# against the lab's root CA alone: with the system bundle too, the report's
# trust store line would count this machine's CA certificates, and README's
# copy of the report would differ from one machine to the next.
CAPTURE    ?= pcaps/diag/nat-peer-dependent.pcap
RUN_ARGS   ?= --no-system-ca --ca-file pcaps/diag/certs/root.pem

.PHONY: all run test deps deps-test build build-test bench format format-check clean install

all: build

deps:
	@sh scripts/deps.sh

deps-test:
	@sh scripts/deps.sh test

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/smtptap $(RUN_ARGS) -r $(CAPTURE)

build-test: deps-test
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)

test: build-test
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@sh scripts/deps.sh bench
	sh bench/run.sh

format:
	clang-format -i src/*.c src/*.h dissectors/*.c dissectors/*.h tests/unit/*.c tests/heap/*.c tests/fuzz/*.c bench/*.c

format-check:
	clang-format --dry-run -Werror src/*.c src/*.h dissectors/*.c dissectors/*.h tests/unit/*.c tests/heap/*.c tests/fuzz/*.c bench/*.c

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
