# kyso — the two commands a newcomer needs: `make demo` and `make test`.
# Both install what they need on Debian/Ubuntu (apt-get, as root; non-root users get the
# command to run with sudo).

CARGO ?= cargo
# What `make demo` needs: SoftHSM for the demo token, openssl to check the signatures, the
# headers kyso builds against, and what draws, checks and renders the demo's PDF letters
# (pycairo, poppler's pdfsig and pdftoppm, NSS's certutil, DejaVu fonts). `make test` needs
# the rest (browsers, valgrind, cargo-fuzz, the packaging tools…).
DEMO_DEBS := softhsm2 openssl pkg-config libpcsclite-dev libusb-1.0-0-dev \
	python3-cairo poppler-utils libnss3-tools fonts-dejavu-core
DEBS := $(DEMO_DEBS) opensc p11-kit p11-kit-modules valgrind \
	libengine-pkcs11-openssl pcscd vsmartcard-vpcd \
	qpdf chromium firefox-esr xvfb xdotool pinentry-gtk2 time mount \
	ghostscript python3-reportlab libreoffice-writer-nogui \
	lintian man-db dpkg-dev jq faketime xmlsec1 desktop-file-utils
PREFIX ?= /usr/local

.PHONY: all deps demo-deps build release demo test lint clean install udev-rules fuzz-smoke fuzz bench deb conformance

all: build

# Installs the Debian packages $(1) that are missing (as root; others get the sudo command).
define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

demo-deps:
	$(call install_debs,$(DEMO_DEBS))

deps:
	$(call install_debs,$(DEBS))
	@command -v cargo-nextest >/dev/null 2>&1 || $(CARGO) install --locked cargo-nextest
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install --locked cargo-fuzz
	@python3 -c "import pyhanko.__main__" 2>/dev/null || python3 -m pip install -q pyhanko-cli
	@python3 -c "import signxml" 2>/dev/null || python3 -m pip install -q signxml
	@command -v cargo-deb >/dev/null 2>&1 || $(CARGO) install --locked cargo-deb

build: deps
	$(CARGO) build --workspace

release: deps
	$(CARGO) build --workspace --release

# The release build's 500-odd lines of cargo output go to a log; a failure shows its end.
DEMO_LOG := target/demo-build.log
demo: demo-deps
	@mkdir -p target
	@echo "building kyso (release build, a few minutes the first time; full log in $(DEMO_LOG))"
	@$(CARGO) build --release --bin kyso >$(DEMO_LOG) 2>&1 || { tail -n 30 $(DEMO_LOG); \
	  echo "the build failed: the full log is in $(DEMO_LOG)"; exit 1; }
	bash scripts/demo.sh target/release/kyso

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

test: deps
	$(CARGO) build --workspace --all-targets
	$(MAKE) deb
	$(CARGO) nextest run --workspace --no-fail-fast
	$(MAKE) fuzz-smoke
	$(MAKE) lint

# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
FUZZ := RUSTC_BOOTSTRAP=1 $(CARGO) fuzz
FUZZ_TARGETS := cert cms_verify pdf c_abi xml
# Seconds per target for `make fuzz` (the real runs; the smoke run in `make test` is short).
FUZZ_SECONDS ?= 300

# Every seed and kept crasher once, then a few seconds of new inputs per target (into a
# scratch corpus: the local working corpus would make it long).
# An unoptimised build (with ASan and debug assertions): it compiles in a fraction of the
# time, and a smoke run is short anyway.
fuzz-smoke:
	$(FUZZ) build --dev --fuzz-dir fuzz
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf fuzz/target/smoke/$$t; mkdir -p fuzz/target/smoke/$$t; \
	  $(FUZZ) run --dev --fuzz-dir fuzz $$t fuzz/target/smoke/$$t fuzz/seeds/$$t fuzz/regressions/$$t -- \
	    -max_total_time=6 -rss_limit_mb=2048 -timeout=20 || exit 1; \
	done

fuzz:
	$(FUZZ) build -O --fuzz-dir fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  $(FUZZ) run -O --fuzz-dir fuzz $$t fuzz/corpus/$$t fuzz/seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 || exit 1; \
	done

# pkcs11-tool's test modes against SoftHSM alone and through kyso's module (scripts/conformance.sh),
# then the OASIS profile cases (AUTH, CERT) both ways.
conformance: deps
	$(CARGO) build --workspace
	./scripts/conformance.sh
	$(CARGO) nextest run -p kyso-pkcs11 --test oasis_profiles --no-capture

bench: deps
	$(CARGO) build --release --workspace
	$(CARGO) bench -p kyso-pkcs11 --bench module_overhead
	./scripts/module-instructions.sh
	$(CARGO) bench --bench batch
	$(CARGO) bench --bench cli
	$(CARGO) bench --bench serve
	$(CARGO) bench --bench xml

# Installs the kyso binary, the PKCS#11 module libkyso_pkcs11.so, the udev rules, a p11-kit
# module file naming the module, kyso serve's systemd user unit and kyso app's desktop entry (PREFIX=/usr/local, DESTDIR for packaging; KYSO_BIN=path and
# KYSO_MODULE=path install already built files). The module goes to LIBDIR (PREFIX/lib), where
# `kyso register` finds it. For a /usr/local install, udev rules go to /etc/udev/rules.d and the
# p11-kit file to /etc/pkcs11/modules; otherwise under PREFIX/lib/udev/rules.d and
# PREFIX/share/p11-kit/modules.
LIBDIR ?= $(PREFIX)/lib
UDEVRULESDIR ?= $(if $(filter /usr/local,$(PREFIX)),/etc/udev/rules.d,$(PREFIX)/lib/udev/rules.d)
P11KITMODULEDIR ?= $(if $(filter /usr/local,$(PREFIX)),/etc/pkcs11/modules,$(PREFIX)/share/p11-kit/modules)
# systemd searches $(PREFIX)/lib/systemd/user for user units with /usr and /usr/local alike.
SYSTEMDUSERUNITDIR ?= $(PREFIX)/lib/systemd/user
# The app menu and "Open with" entry of `kyso app` (XDG_DATA_DIRS holds /usr/local/share and /usr/share).
APPLICATIONSDIR ?= $(PREFIX)/share/applications

KYSO_BIN ?= target/release/kyso
KYSO_MODULE ?= target/release/libkyso_pkcs11.so

install:
	if [ "$(KYSO_BIN)" = target/release/kyso ]; then $(CARGO) build --release --bin kyso; fi
	if [ "$(KYSO_MODULE)" = target/release/libkyso_pkcs11.so ]; then $(CARGO) build --release -p kyso-pkcs11; fi
	install -D -m 0755 $(KYSO_BIN) $(DESTDIR)$(PREFIX)/bin/kyso
	install -D -m 0644 $(KYSO_MODULE) $(DESTDIR)$(LIBDIR)/libkyso_pkcs11.so
	install -D -m 0644 udev/70-kyso-tokens.rules $(DESTDIR)$(UDEVRULESDIR)/70-kyso-tokens.rules
	install -d $(DESTDIR)$(P11KITMODULEDIR)
	printf '# kyso PKCS#11 module, for applications using p11-kit (installed by make install).\nmodule: %s\n' \
	  '$(LIBDIR)/libkyso_pkcs11.so' > $(DESTDIR)$(P11KITMODULEDIR)/kyso.module
	install -d $(DESTDIR)$(SYSTEMDUSERUNITDIR)
	sed 's|^ExecStart=/usr/bin/kyso |ExecStart=$(PREFIX)/bin/kyso |' systemd/kyso-serve.service \
	  > $(DESTDIR)$(SYSTEMDUSERUNITDIR)/kyso-serve.service
	install -d $(DESTDIR)$(APPLICATIONSDIR)
	sed 's|^Exec=/usr/bin/kyso |Exec=$(PREFIX)/bin/kyso |' desktop/kyso-app.desktop \
	  > $(DESTDIR)$(APPLICATIONSDIR)/kyso-app.desktop
	@if [ -z "$(DESTDIR)" ] && command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q $(APPLICATIONSDIR) || true; fi
	@if [ -z "$(DESTDIR)" ] && command -v udevadm >/dev/null 2>&1; then udevadm control --reload || true; fi
	@echo "installed; each user then runs: kyso register (Firefox, Thunderbird, Chromium, LibreOffice)"
	@echo "and, to sign on web portals: systemctl --user enable --now kyso-serve"

# The Debian package target/debian/kyso_<version>_amd64.deb (cargo-deb; what goes where is in
# Cargo.toml's [package.metadata.deb]). The binary and the module are built separately, as for
# `make install`, so the module links no CLI crate. Man pages and completions come from the
# clap definitions (`kyso generate-assets`), the copyright file from Cargo.lock. Then lintian,
# which must report no error.
DEB_ASSETS := target/deb-assets

deb: deps
	$(CARGO) build --release --bin kyso
	$(CARGO) build --release -p kyso-pkcs11
	rm -rf $(DEB_ASSETS)
	target/release/kyso generate-assets $(DEB_ASSETS) >/dev/null
	python3 scripts/deb-copyright.py > $(DEB_ASSETS)/copyright
	rm -f target/debian/kyso_*.deb
	$(CARGO) deb --no-build -p kyso
	lintian --fail-on error --info target/debian/kyso_*.deb

# Regenerates the udev rules from src/devices/catalogue.toml (a test checks they match).
udev-rules:
	$(CARGO) run -q --bin kyso -- udev-rules > udev/70-kyso-tokens.rules

clean:
	$(CARGO) clean
