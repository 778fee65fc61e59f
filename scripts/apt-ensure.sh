# Sourced by the scripts that build or test Berqenas.
# The C libraries the build links: FreeTDS (SQL Server), libqrencode (peer configs as QR codes) and zlib
# (the web panel's files, gzipped once at start).
BUILD_PACKAGES=(freetds-dev libqrencode-dev zlib1g-dev)

# apt_ensure PACKAGE...: installs the Debian packages that are missing (as root, or through sudo).
apt_ensure() {
  local missing=() package sudo_cmd=""
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "installing Debian packages: ${missing[*]}"
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
