# samlcreds developer entry points. `make demo` and `make test` set up what is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The sandbox IdPs (SimpleSAMLphp; LemonLDAP::NG below), the browser tests' real X display and keystrokes,
# a real Secret Service for keyring tests, TOTP codes, the peers' build needs (bench).
APT_PACKAGES := simplesamlphp php-cli php-xml php-mbstring xmlsec1 openssl chromium xvfb xdotool x11-utils \
	gnome-keyring dbus oathtool libkrb5-dev
# LemonLDAP::NG 2.16, installed without recommends (the fastcgi server only satisfies a dependency so no
# Apache is pulled in; ImageMagick and XML::Simple are loaded even when unused).
APT_NORECOMMENDS := liblemonldap-ng-portal-perl lemonldap-ng-fastcgi-server libplack-perl liblasso-perl \
	libglib-perl libxml-simple-perl libhtml-parser-perl libgd-securityimage-perl libimage-magick-perl \
	libconvert-base32-perl libdigest-hmac-perl libio-string-perl libcrypt-openssl-bignum-perl \
	libcookie-baker-xs-perl libhttp-parser-xs-perl libcrypt-urandom-perl
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test test-fast bench clean

setup: system-deps $(STAMP)

# Debian packages for the sandbox IdP (installed only when missing; needs root or sudo).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	bare=""; for p in $(APT_NORECOMMENDS); do dpkg -s $$p >/dev/null 2>&1 || bare="$$bare $$p"; done; \
	if [ -n "$$missing$$bare" ]; then \
	  echo "installing Debian packages:$$missing$$bare"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq || exit 1; \
	  if [ -n "$$missing" ]; then DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || exit 1; fi; \
	  if [ -n "$$bare" ]; then DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$bare >/dev/null || exit 1; fi; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: setup
	$(PY) scripts/demo.py

# The whole suite once, stage by stage (unit, sandbox e2e, browser, faults, stress), each saying what it
# runs and how long it took; fails when any stage fails. Expect 8-15 minutes on 2 cores.
test: setup
	$(PY) scripts/test_stages.py

# Pure-logic unit tests only: no Debian packages, IdP, STS, browser or network; under a minute.
test-fast: $(STAMP)
	$(PY) -m pytest -q tests/unit

bench: setup
	$(PY) bench/parse_roles.py
	$(PY) bench/process_warm.py
	$(PY) bench/cold_login.py
	$(PY) bench/credential_process.py
	$(PY) bench/browser_signin.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
