# samlcreds developer entry points. `make demo` and `make test` set up what is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := simplesamlphp php-cli php-xml php-mbstring xmlsec1 openssl chromium
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test bench clean

setup: system-deps $(STAMP)

# Debian packages for the sandbox IdP (installed only when missing; needs root or sudo).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: setup
	$(PY) scripts/demo.py

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/parse_roles.py
	$(PY) bench/process_warm.py
	$(PY) bench/cold_login.py
	$(PY) bench/credential_process.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
