# trainmap: one static library (common, arch, workloads, model, mapper,
# reports) linked into the CLI and into the Check test runner.
#
#   make          build build/trainmap
#   make run      map the shipped defaults and print a summary
#   make test     build and run every test
#   make sanitize the tests under AddressSanitizer + UBSan
#   make bench    print the benchmarks' figures
#   make install PREFIX=/usr/local

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
WERROR  ?= -Werror
OPT     ?= -O2
SAN     ?=
PKGS    := libcjson libpcre2-8

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(SAN) -MMD -MP \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  := $(wildcard common/*.c arch/*.c workloads/*.c model/*.c mapper/*.c reports/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/*.c)
BENCH_SRC := $(wildcard bench/*.c)

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

.PHONY: all deps run test test-run sanitize bench install clean

all: $(BUILD)/trainmap

deps:
	@sh scripts/deps.sh

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

$(BUILD)/test_runner: $(TEST_OBJ) $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(BUILD)/bench_runner: $(BENCH_OBJ) $(BUILD)/libtrainmap.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/trainmap
	@sh scripts/run.sh $(BUILD)/trainmap

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(BUILD)/trainmap $(BUILD)/test_runner
	TRAINMAP=$(BUILD)/trainmap $(BUILD)/test_runner

sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    test-run

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench_runner
	$(BUILD)/bench_runner

install: $(BUILD)/trainmap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trainmap/presets \
	    $(DESTDIR)$(PREFIX)/share/trainmap/nets
	install -m 755 $(BUILD)/trainmap $(DESTDIR)$(PREFIX)/bin/trainmap
	install -m 644 arch/presets/*.json $(DESTDIR)$(PREFIX)/share/trainmap/presets/
	install -m 644 workloads/nets/*.json $(DESTDIR)$(PREFIX)/share/trainmap/nets/

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)
