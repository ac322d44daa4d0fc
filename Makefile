# trainmap: one static library (common, arch, workloads, model, mapper,
# reports) linked into the CLI and into the Check test runner.
#
#   make          build build/trainmap
#   make run      map the shipped defaults and print a summary
#   make test     build and run every test
#   make sanitize the tests under AddressSanitizer + UBSan (leak checking on)
#   make tsan     the search and map tests under ThreadSanitizer
#   make fuzz     build the libFuzzer targets (clang) and run each for
#                 FUZZ_SECONDS seconds (default 60)
#   make bench    print the benchmarks' figures (and the sweep's throughput
#                 over MPI ranks when the MPI build is possible)
#   make MPI=1    build build/mpi/trainmap with mpicc: `mpirun ... trainmap
#                 sweep` spreads a sweep over the ranks (sweep/dist_mpi.c)
#   make test-mpi the MPI backend's tests under mpirun (part of `make test`
#                 when CI=true)
#   make install PREFIX=/usr/local

# MPI=1: everything is compiled with mpicc and -DTRAINMAP_MPI, into a
# build directory of its own so that the plain build/ is untouched.
MPI     ?=
ifeq ($(MPI),1)
CC      := mpicc
BUILD   ?= build/mpi
MPI_DEF := -DTRAINMAP_MPI
endif
CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
WERROR  ?= -Werror
OPT     ?= -O2
SAN     ?=
PKGS    := libcjson libpcre2-8

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(MPI_DEF) $(WARN) $(CFLAGS) $(SAN) -MMD -MP \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  := $(wildcard common/*.c arch/*.c workloads/*.c model/*.c mapper/*.c reports/*.c) \
            $(filter-out sweep/dist_mpi.c,$(wildcard sweep/*.c))
ifeq ($(MPI),1)
LIB_SRC  += sweep/dist_mpi.c
endif
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/*.c)
BENCH_SRC := $(wildcard bench/*.c)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)

# ONNX import: protoc-c generates the protobuf code from the onnx.proto
# Debian's libonnx-dev ships, into $(BUILD)/gen (never committed).
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
PKGS      += libprotobuf-c
LIB_OBJ   += $(BUILD)/gen/onnx.pb-c.o

CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)
SUITES    := $(patsubst tests/test_%.c,%,$(filter tests/test_%.c,$(TEST_SRC)))
FUZZ_BIN  := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/%)

.PHONY: all deps run test test-run test-ci test-mpi test-mpi-run sanitize tsan tsan-run \
        fuzz fuzz-build fuzz-run bench install clean

all: $(BUILD)/trainmap

# The MPI build's tools: command -> Debian package (scripts/deps.sh).
MPI_TOOLS := mpicc:libopenmpi-dev mpirun:openmpi-bin

deps:
	@sh scripts/deps.sh $(if $(filter 1,$(MPI)),$(MPI_TOOLS))

$(BUILD)/libtrainmap.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/trainmap: $(CLI_OBJ) $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The generated ONNX protobuf code (see ONNX_PROTO above).
$(BUILD)/gen/onnx.pb-c.c: $(ONNX_PROTO)
	@mkdir -p $(@D)
	protoc-c --c_out=$(@D) -I$(dir $<) $<
$(BUILD)/gen/onnx.pb-c.h: $(BUILD)/gen/onnx.pb-c.c ;
$(BUILD)/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
ONNX_OBJ := $(addprefix $(BUILD)/workloads/,import_onnx.o import_onnx_ops.o import_onnx_values.o)
$(ONNX_OBJ): $(BUILD)/gen/onnx.pb-c.h
$(ONNX_OBJ): ALL_CFLAGS += -I$(BUILD)/gen

# The test runner's suite list is generated from the file names: each
# tests/test_NAME.c defines `Suite *NAME_suite(void)`.
$(BUILD)/tests/suites.h: $(TEST_SRC) Makefile
	@mkdir -p $(@D)
	@printf '%s\n' $(foreach s,$(SUITES),'SUITE($(s))') > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/main.o: $(BUILD)/tests/suites.h
$(BUILD)/tests/%.o: ALL_CFLAGS += -Wno-missing-prototypes -I$(BUILD)/tests $(shell pkg-config --cflags check 2>/dev/null)

# The allocation-failure suite (tests/test_alloc_fail.c) stands between
# our code and the allocator: every call from the runner's own objects and
# the library goes to its __wrap_ functions.
WRAP_ALLOC := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free

$(BUILD)/test_runner: $(TEST_OBJ) $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) $(WRAP_ALLOC) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(BUILD)/bench_runner: $(BENCH_OBJ) $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/trainmap
	@sh scripts/run.sh $(BUILD)/trainmap

# With CI=true (as CI sets it), `make test` also runs the sanitizers and a
# short fuzzing pass, so that CI needs one command.
test: deps
	@$(MAKE) --no-print-directory test-run
	@if [ "$$CI" = true ]; then $(MAKE) --no-print-directory test-ci; fi

test-ci:
	@$(MAKE) --no-print-directory sanitize
	@$(MAKE) --no-print-directory test-mpi
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

test-run: $(BUILD)/trainmap $(BUILD)/test_runner
	TRAINMAP=$(BUILD)/trainmap $(BUILD)/test_runner $(SUITE)

# The MPI backend's tests, and the sweep's end-to-end ones, under mpirun
# with several rank counts on this machine only (scripts/test_mpi.sh).
test-mpi:
	@sh scripts/deps.sh $(MPI_TOOLS)
	@$(MAKE) --no-print-directory MPI=1 test-mpi-run

test-mpi-run: $(BUILD)/trainmap $(BUILD)/test_dist_mpi $(BUILD)/test_dist_mpi_asan
	@sh scripts/test_mpi.sh $(BUILD)

$(BUILD)/test_dist_mpi: $(BUILD)/tests/mpi/test_dist_mpi.o $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

# The same program with the backend under ASan and UBSan, compiled from
# its sources (OpenMPI itself leaks, so the script looks for reports that
# name our files).
DIST_MPI_SRC := tests/mpi/test_dist_mpi.c sweep/dist_mpi.c common/err.c
$(BUILD)/test_dist_mpi_asan: $(DIST_MPI_SRC) sweep/dist.h common/err.h
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(MPI_DEF) $(WARN) -O1 -g \
	    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
	    -o $@ $(DIST_MPI_SRC)

# Leak checking is on by default under ASan on Linux; it is set explicitly
# so that an ASAN_OPTIONS from the environment cannot turn it off.  The CLI
# tests run the sanitized build/asan/trainmap, so a leak on any CLI path
# fails its test (exit code and stderr differ).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

sanitize: deps
	@$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    test-run

# ThreadSanitizer on the code that runs threads: the search suite's "core"
# cases (every strategy on 1 to 3 threads, time limits, interrupts; its
# "optimum" cases run the same threads on many more problems, minutes under
# TSan, and run under ASan), the
# sweep's work queue (dist) and the sweep command end to end, and the
# map command's own tests (worker threads, the progress thread and the
# SIGINT handler) with TRAINMAP pointing at the TSan build.  SUITE:CASE
# runs one Check test case of a suite.  Thread leaks are not reported: a
# second Ctrl-C exits at once by design, without joining the workers.
TSAN_RUNS ?= search:core cli:map hostile_cli:outputs dist sweep_cli
tsan: deps
	@sh scripts/deps.sh '/usr/lib/*/libtsan.so.*:libtsan2'
	@$(MAKE) --no-print-directory BUILD=build/tsan OPT=-O1 \
	    SAN="-fsanitize=thread -fno-omit-frame-pointer" tsan-run

tsan-run: $(BUILD)/trainmap $(BUILD)/test_runner
	@for r in $(TSAN_RUNS); do \
	    s=$${r%%:*}; c=$${r#*:}; [ "$$c" = "$$r" ] && c=; \
	    echo "$(BUILD)/test_runner $$s $${c:+(case $$c)}"; \
	    env TSAN_OPTIONS="halt_on_error=1 report_thread_leaks=0" $${c:+CK_RUN_CASE=$$c} \
	        TRAINMAP=$(BUILD)/trainmap $(BUILD)/test_runner $$s || exit 1; \
	done

# libFuzzer targets: one per loader (fuzz/fuzz_NAME.c), seeded from
# fuzz/corpus/NAME/; inputs up to 8 KiB (64 KiB for reports and ONNX
# models, which are larger).  New inputs go to build/fuzz/corpus/NAME (the seeds in
# the repository are never written); a crash is saved under
# build/fuzz/artifacts/ and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz: deps
	@sh scripts/deps.sh clang:clang \
	    '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a:libclang-rt-14-dev'
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang OPT=-O1 \
	    SAN="-fsanitize=fuzzer-no-link $(FUZZ_FLAGS)" fuzz-run

fuzz-build: $(FUZZ_BIN)

.SECONDARY: $(FUZZ_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-run: fuzz-build
	@mkdir -p $(BUILD)/artifacts
	@for f in $(FUZZ_BIN); do \
	    t=$${f##*/fuzz_}; mkdir -p $(BUILD)/corpus/$$t; \
	    echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	    case $$t in import_onnx|report) ml=65536;; *) ml=8192;; esac; \
	    $(SAN_ENV) $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=$$ml \
	        -dict=fuzz/json.dict \
	        -print_final_stats=1 -artifact_prefix=$(BUILD)/artifacts/$$t- \
	        $(BUILD)/corpus/$$t fuzz/corpus/$$t 2>$(BUILD)/$$t.log; \
	    rc=$$?; grep -E '^(stat::number_of_executed_units|stat::new_units_added)' \
	        $(BUILD)/$$t.log | tr '\n' ' '; echo; \
	    if [ $$rc -ne 0 ]; then tail -n 60 $(BUILD)/$$t.log; exit 1; fi; \
	done

# The sweep's throughput over MPI ranks (bench/sweep_mpi.sh) needs the MPI
# build, which needs OpenMPI's compiler and launcher: without them it is
# skipped, with the reason.
bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench_runner
	$(BUILD)/bench_runner
	@if command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory MPI=1 BUILD=build/mpi build/mpi/trainmap >/dev/null && \
	    sh bench/sweep_mpi.sh build/mpi; \
	else \
	    echo "sweep throughput over MPI ranks: skipped: mpicc or mpirun not found" \
	         "(sudo apt-get install libopenmpi-dev openmpi-bin, or make test-mpi as root)"; \
	fi

install: $(BUILD)/trainmap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trainmap/presets \
	    $(DESTDIR)$(PREFIX)/share/trainmap/nets
	install -m 755 $(BUILD)/trainmap $(DESTDIR)$(PREFIX)/bin/trainmap
	install -m 644 arch/presets/*.json $(DESTDIR)$(PREFIX)/share/trainmap/presets/
	install -m 644 workloads/nets/*.json $(DESTDIR)$(PREFIX)/share/trainmap/nets/

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) \
         $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/mpi/test_dist_mpi.d
