# WineWarden: `make run` installs what is needed and runs the demo; `make test` runs every test.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX ?= $(HOME)/.local
TEST_USER ?= wwtest
DEBIAN_PACKAGES = bubblewrap socat dbus-daemon dbus-bin dbus-tests curl dnsmasq-base bind9-dnsutils python3 libseccomp-dev pkg-config gcc libc6-dev xdg-dbus-proxy wine wine64 gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 \
                  xvfb xauth tmux hyperfine groff-base man-db zsh fish libglib2.0-bin libnotify-bin libsqlite3-dev libncurses-dev

.PHONY: all deps build release install uninstall run test unit integration bench completions man profiles clean

all: release

# System packages (Debian 12). As a normal user: sudo make deps.
deps:
	@if [ "$$(id -u)" -ne 0 ]; then echo "make deps needs root: sudo make deps"; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null

build:
	$(SWIFT) build

# The binary players install: Swift runtime linked statically, not position-independent (no start-up
# relocations: the inner helper starts in ~3 ms instead of ~5.5 ms), so it binds into the sandbox alone.
release:
	$(SWIFT) build -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie
	@echo "built .build/release/ww"

# Installs into PREFIX (default ~/.local): the binary (which holds the shipped profiles too: it works
# alone), the profile files for reading and editing (found by ww next to its binary, as
# <prefix>/share/winewarden/profiles), shell completions and the man pages. INSTALL_BIN
# installs a binary already built (the tests use the debug one) instead of building the release.
INSTALL_BIN ?=
INSTALLED = bin/ww share/bash-completion/completions/ww share/zsh/site-functions/_ww \
            share/fish/vendor_completions.d/ww.fish share/man/man1/ww.1 share/man/man5/ww-profile.5 \
            $(addprefix share/winewarden/profiles/,$(notdir $(wildcard profiles/*.toml)))
install: $(if $(INSTALL_BIN),,release)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/winewarden/profiles \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(or $(INSTALL_BIN),.build/release/ww) $(DESTDIR)$(PREFIX)/bin/ww
	install -m 644 profiles/*.toml $(DESTDIR)$(PREFIX)/share/winewarden/profiles/
	install -m 644 completions/ww.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ww
	install -m 644 completions/_ww $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ww
	install -m 644 completions/ww.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ww.fish
	install -m 644 man/ww.1 $(DESTDIR)$(PREFIX)/share/man/man1/ww.1
	install -m 644 man/ww-profile.5 $(DESTDIR)$(PREFIX)/share/man/man5/ww-profile.5
	@echo "installed ww into $(DESTDIR)$(PREFIX); make sure $(PREFIX)/bin is on PATH"

# Removes exactly what install put there (your own profiles in ~/.config/winewarden stay).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	-rmdir $(DESTDIR)$(PREFIX)/share/winewarden/profiles $(DESTDIR)$(PREFIX)/share/winewarden 2>/dev/null
	@echo "removed ww from $(DESTDIR)$(PREFIX)"

# The main job: a Windows credential stealer under Wine, without and with ww.
run: deps release
	sh demo/run-demo.sh $(CURDIR)/.build/release/ww

# Every test. As root the sandbox tests drop to the unprivileged user $(TEST_USER) (created here).
test: build
	@if [ "$$(id -u)" -eq 0 ] && ! id $(TEST_USER) >/dev/null 2>&1; then useradd -m -s /bin/sh $(TEST_USER); fi
	$(SWIFT) build --build-tests
	WW_TEST_USER=$(TEST_USER) $(SWIFT) test --skip-build

unit: build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter "WardenCoreTests|WardenStoreTests|WardenLinuxTests|WardenNetTests|WardenMonitorTests"

integration: build
	$(SWIFT) build --build-tests
	WW_TEST_USER=$(TEST_USER) $(SWIFT) test --skip-build --filter IntegrationTests

# Generated from the command definitions; a test fails when the committed files are stale.
completions: build
	for sh in bash zsh fish; do .build/debug/ww --generate-completion-script $$sh > completions/$$( [ $$sh = bash ] && echo ww.bash || { [ $$sh = zsh ] && echo _ww || echo ww.fish; }); done

# The shipped profiles compiled into ww (so the binary alone works), generated from profiles/*.toml;
# a unit test fails when the generated source is stale.
profiles:
	sh tools/gen-shipped-profiles.sh

# ww renders both pages itself (ww.1 from the same command definitions as --help; no build date in them),
# so a test can compare them byte for byte with what the code generates.
man: build
	.build/debug/ww manual ww.1 > man/ww.1
	.build/debug/ww manual ww-profile.5 > man/ww-profile.5

# Start time against bare bwrap, and syscall costs (getppid, a watched connect) against direct and bare bwrap.
bench: release
	sh bench/start.sh .build/release/ww
	sh bench/kernel.sh .build/release/ww
	sh bench/network.sh .build/release/ww
	sh bench/files.sh .build/release/ww
	sh bench/decoys.sh .build/release/ww
	sh bench/persistence.sh .build/release/ww
	sh bench/persistence-real.sh .build/release/ww
	sh bench/monitor.sh .build/release/ww
	sh bench/canary.sh

clean:
	rm -rf .build .build-* demo/out
