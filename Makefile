# srebox — one binary for "what is wrong with this node?"
#
#   make run       install missing Debian build packages, build, run `srebox health`
#   make check     install missing test packages, build, run every test, then
#                  every test again under ASan+UBSan (what CI runs)
#   make test      the test suite once, for the build in $(O)
#   make docs      regenerate the applet lists of srebox(1) and README.md
#   make bench     benchmarks against the tools srebox replaces (not tests)
#   make install   PREFIX=/usr/local DESTDIR=
#
# SANITIZE=1 builds with -fsanitize=address,undefined into build-san/.
# DEVELOPER=1 adds -Werror.  V=1 shows the commands.

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

CC ?= cc
PKG_CONFIG ?= pkg-config
INSTALL ?= install

ifeq ($(FUZZ),1)
# libFuzzer needs clang: lib/ is built with coverage hooks, ASan and UBSan.
O ?= build-fuzz
CC := clang
SANITIZE := 1
else ifeq ($(SANITIZE),1)
O ?= build-san
else
O ?= build
endif

ifneq ($(V),1)
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

# Linked: small libraries with no further dependencies.  libcurl and
# libproc2 are loaded with dlopen by the applets that need them, so a
# node-local applet starts as fast as a bare C program (see lib/dl.c).
LINK_PKGS := jansson yaml-0.1
HDR_PKGS := libcurl libproc2 ncursesw libarchive

cc-option = $(shell if $(CC) -Werror $(1) -c -x c /dev/null -o /dev/null 2>/dev/null; then echo $(1); fi)
ld-option = $(shell if echo 'int main(void){return 0;}' | $(CC) -Werror $(1) -x c - -o /dev/null 2>/dev/null; then echo $(1); fi)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers -Wimplicit-fallthrough
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

ifeq ($(FUZZ),1)
HARDEN := -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
HARDEN_LD := -fsanitize=address,undefined
OPT := -O1 -g
else ifeq ($(SANITIZE),1)
HARDEN := -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN_LD := -fsanitize=address,undefined
OPT := -O1 -g
else
HARDEN := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 $(call cc-option,-fstack-protector-strong) \
	$(call cc-option,-fstack-clash-protection) $(call cc-option,-fcf-protection=full) \
	$(call cc-option,-fstrict-flex-arrays=3) -fPIE
HARDEN_LD := -pie $(call ld-option,-Wl$(comma)-z$(comma)relro) $(call ld-option,-Wl$(comma)-z$(comma)now) \
	$(call ld-option,-Wl$(comma)-z$(comma)noexecstack) $(call ld-option,-Wl$(comma)--as-needed)
OPT := -O2 -g
endif
comma := ,

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LINK_PKGS) $(HDR_PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null)

SBX_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(HARDEN) -D_GNU_SOURCE -DSREBOX_VERSION='"$(VERSION)"' \
	-MMD -MP $(PKG_CFLAGS)
ALL_CFLAGS = $(SBX_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(HARDEN_LD) $(LDFLAGS)
LIBS := $(PKG_LIBS) -ldl -lm

# lib/ in layers, lowest first; each may use only the layers it names
# (lib/LAYER/README.md says the same, and `make check-layers` checks both
# the includes and the symbols).  Each layer is compiled with the include
# paths of its own layer and those it may use, so a wrong-way include does
# not compile, and is archived on its own.
LAYERS := base parse net host k8s report render check cli
uses_base :=
uses_parse := base
uses_net := base
uses_host := base parse
uses_k8s := base parse net host
uses_report := base
uses_render := base report
uses_check := base parse host report
uses_cli := base parse net host k8s report render check
layer_inc = $(foreach l,$(1) $(uses_$(1)),-Ilib/$(l))
ALL_INC := $(foreach l,$(LAYERS),-Ilib/$(l))
# Link order: a layer before those it uses.
LAYER_LIBS := $(foreach l,cli check render report k8s host net parse base,$(O)/lib/libsbx_$(l).a)

LIB_SRC := $(sort $(wildcard lib/*/*.c))
CMD_SRC := $(sort $(wildcard cmd/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(O)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/t_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
HELPER_SRC := $(sort $(wildcard tests/tools/*.c))
HELPER_BIN := $(HELPER_SRC:tests/tools/%.c=$(O)/tests/%)
FUZZ_LIBS := $(foreach l,k8s host net parse base,$(O)/lib/libsbx_$(l).a)

APPLETS = $(shell sed -n 's/^APPLET(\(.*\))$$/\1/p' cmd/applets.def)

all: $(O)/srebox

$(O)/srebox: $(CMD_OBJ) $(LAYER_LIBS)
	$(call quiet,LINK,$@)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LAYER_LIBS) $(LIBS)

define layer_rules
$(O)/lib/libsbx_$(1).a: $(filter $(O)/lib/$(1)/%,$(LIB_OBJ))
	$$(call quiet,AR,$$@)rm -f $$@ && $$(AR) rcs $$@ $$^

$(O)/lib/$(1)/%.o: lib/$(1)/%.c
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$<)$$(CC) $$(ALL_CFLAGS) $(call layer_inc,$(1)) -c -o $$@ $$<
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rules,$(l))))

$(O)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(ALL_INC) -c -o $@ $<

$(O)/tests/t_%: tests/unit/t_%.c $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(ALL_INC) $(ALL_LDFLAGS) -o $@ $< $(LAYER_LIBS) \
		$(LIBS) $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

$(O)/tests/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lpthread -lm

# The fuzz targets: a replayer of the kept corpora, run by every `make
# test`, and (FUZZ=1, clang) the libFuzzer binary `make fuzz` runs.
$(O)/tests/fuzz-replay: tests/fuzz/replay.c tests/fuzz/targets.c tests/fuzz/fuzz.h $(FUZZ_LIBS)
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) $(ALL_INC) $(ALL_LDFLAGS) -o $@ tests/fuzz/replay.c \
		tests/fuzz/targets.c $(FUZZ_LIBS) $(LIBS)

$(O)/fuzz/srebox-fuzz: tests/fuzz/libfuzzer.c tests/fuzz/targets.c tests/fuzz/fuzz.h $(FUZZ_LIBS)
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) $(ALL_INC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ \
		tests/fuzz/libfuzzer.c tests/fuzz/targets.c $(FUZZ_LIBS) $(LIBS)

# A test tool that needs a library of its own says so here.
$(O)/tests/hangfs: tests/tools/hangfs.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags fuse3) $(ALL_LDFLAGS) \
		-o $@ $< $(shell $(PKG_CONFIG) --libs fuse3)

$(O)/tests/delayfs: tests/tools/delayfs.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags fuse3) $(ALL_LDFLAGS) \
		-o $@ $< $(shell $(PKG_CONFIG) --libs fuse3)

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_BIN:=.d)

# --- set-up on Debian: install what is missing, nothing else ---------------
BUILD_DEBS := gcc make pkg-config libc6-dev libjansson-dev libyaml-dev libproc2-dev \
	libcurl4-openssl-dev libncurses-dev libarchive-dev
TEST_DEBS := $(BUILD_DEBS) libcmocka-dev bats mandoc python3 openssl bash-completion zsh fish strace \
	jq clang libclang-rt-dev fuse3 libfuse3-dev prometheus prometheus-node-exporter monitoring-plugins-basic procps util-linux \
	e2fsprogs coreutils bsdutils iproute2 tmux nftables sysstat time prometheus-alertmanager datamash curl \
	systemd-journal-remote
BENCH_DEBS := hyperfine sysstat busybox valgrind time procps irqtop

define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing missing Debian packages:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then sudo=; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; \
		else echo "error: need root (or sudo) to install:" $$missing >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ $$sudo apt-get update -q >/dev/null && \
		  $$sudo apt-get install -y -q --no-install-recommends $$missing; } || exit 1; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEBS))
deps-test:
	$(call apt_install,$(TEST_DEBS))
deps-bench:
	$(call apt_install,$(TEST_DEBS) $(BENCH_DEBS))

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(O)/srebox $(if $(filter health,$(APPLETS)),health,irq)

# --- tests -----------------------------------------------------------------
check: deps-test
	$(Q)$(MAKE) --no-print-directory test
	$(Q)$(MAKE) --no-print-directory test SANITIZE=1
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(CHECK_FUZZ_TIME)

# Each fuzz target for FUZZ_TIME seconds under ASan+UBSan (clang's
# libFuzzer), from the kept corpus; new inputs go to build-fuzz/corpus,
# crashes to build-fuzz/crash-* (copy them into tests/fuzz/corpus/TARGET
# with a unit test).  `make check` runs each briefly, so a parser
# regression fails the build.
FUZZ_TIME ?= 60
CHECK_FUZZ_TIME ?= 3
fuzz: deps-test
	$(Q)$(MAKE) --no-print-directory FUZZ=1 build-fuzz/fuzz/srebox-fuzz
	$(Q)FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run build-fuzz/fuzz/srebox-fuzz $(FUZZ_TARGETS)

test: all $(UNIT_BIN) $(HELPER_BIN) $(O)/tests/fuzz-replay check-layers
	$(Q)O=$(O) SANITIZE=$(SANITIZE) tests/run

# The layer rules of lib/: includes, symbols, and each README's "May use".
check-layers: $(LAYER_LIBS)
	$(Q)O=$(O) LAYERS='$(LAYERS)' $(foreach l,$(LAYERS),uses_$(l)='$(uses_$(l))') \
		tests/tools/check-layers.sh

# The man pages' lists of checks, from the catalogue.
man: $(O)/srebox
	$(Q)SREBOX=$(O)/srebox tests/tools/man-checks.sh

completions: $(O)/srebox
	$(Q)for s in bash zsh fish; do $(O)/srebox --completions $$s > completions/srebox.$$s; done

# The applet lists of srebox(1) and README.md, from the registry and each
# applet's summary (tests/cli/drift.bats fails while they are stale).
docs: $(O)/srebox
	$(Q)tests/tools/applet-docs.sh $(O)/srebox

bench: deps-bench all $(HELPER_BIN)
	$(Q)O=$(O) tests/bench/run

# --- install ---------------------------------------------------------------
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 755 $(O)/srebox $(DESTDIR)$(BINDIR)/srebox
	for a in $(APPLETS); do ln -sf srebox $(DESTDIR)$(BINDIR)/srebox-$$a; \
		ln -sf srebox $(DESTDIR)$(BASHCOMPDIR)/srebox-$$a; done
	$(INSTALL) -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 completions/srebox.bash $(DESTDIR)$(BASHCOMPDIR)/srebox
	$(INSTALL) -m 644 completions/srebox.zsh $(DESTDIR)$(ZSHCOMPDIR)/_srebox
	$(INSTALL) -m 644 completions/srebox.fish $(DESTDIR)$(FISHCOMPDIR)/srebox.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/srebox $(DESTDIR)$(ZSHCOMPDIR)/_srebox \
		$(DESTDIR)$(FISHCOMPDIR)/srebox.fish $(DESTDIR)$(BASHCOMPDIR)/srebox
	for a in $(APPLETS); do rm -f $(DESTDIR)$(BINDIR)/srebox-$$a $(DESTDIR)$(BASHCOMPDIR)/srebox-$$a; done
	cd man && for m in *.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$m; done

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps deps-test deps-bench run check test fuzz check-layers man docs completions bench install uninstall clean
