# kyso — the two commands a newcomer needs: `make demo` and `make test`.
# Both install what they need on Debian/Ubuntu (apt-get, as root; non-root users get the
# command to run with sudo).

CARGO ?= cargo
DEBS := softhsm2 opensc openssl libnss3-tools pkg-config libpcsclite-dev libusb-1.0-0-dev poppler-utils qpdf
PREFIX ?= /usr/local

.PHONY: all deps build release demo test lint clean

all: build

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@command -v cargo-nextest >/dev/null 2>&1 || $(CARGO) install --locked cargo-nextest

build: deps
	$(CARGO) build --workspace

release: deps
	$(CARGO) build --workspace --release

demo: release
	bash scripts/demo.sh target/release/kyso

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

test: deps
	$(CARGO) build --workspace --all-targets
	$(CARGO) nextest run --workspace --no-fail-fast
	$(MAKE) lint

clean:
	$(CARGO) clean
